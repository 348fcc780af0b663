#!/usr/bin/env bash
# Fuzzes the targets of fuzz/ for a bounded time each (#78), on the stable toolchain: what CI runs
# (scripts/test.sh calls it) and what works on a fresh Debian 12 with rustup's stable alone.
# cargo-fuzz is installed from crates.io when missing; the targets are built without a sanitizer
# (AddressSanitizer needs nightly) into target/fuzz, apart from the workspace's build; the seeds
# are written at run time by fuzz/seeds/make_seeds.py (the hostile files of #78 and honest ones),
# into a temporary corpus that the run grows. A crash (a panic in certdesk's code, an abort such
# as a failed allocation), memory past the RSS limit or an input slower than the timeout fails
# the script; libFuzzer saves the input under target/fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh                 # every target: the readers of #78 45 s each, the rest 10 s
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh roster
#
# Needs python3 with openpyxl and xlwt for the seeds (scripts/deps.sh test installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}

# the readers of hostile files get the longer runs; the older targets keep running, shorter
hostile_targets=(roster key_file backup)
older_targets=(decode_scan case_json fee)
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=("${hostile_targets[@]}" "${older_targets[@]}")
fi
seconds_for() {
  case " ${hostile_targets[*]} " in
    *" $1 "*) echo "${FUZZ_SECONDS:-45}" ;;
    *) echo "${FUZZ_OLDER_SECONDS:-${FUZZ_SECONDS:-10}}" ;;
  esac
}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz from crates.io"
  cargo install cargo-fuzz --locked
fi

# the first python3 with openpyxl and xlwt (a pyenv shim may come before Debian's)
python=""
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c "import openpyxl, xlwt" >/dev/null 2>&1; then
    python=$candidate
    break
  fi
done
if [ -z "$python" ]; then
  echo "no python3 with openpyxl and xlwt for the seeds: run bash scripts/deps.sh test" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/certdesk-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$python" fuzz/seeds/make_seeds.py "$work/seeds"

target_dir="$PWD/target/fuzz"
# --sanitizer none: no -Zsanitizer, so stable rustc builds it; the coverage instrumentation
# cargo-fuzz asks for (-Cpasses=sancov-module, --cfg fuzzing) is stable
build=(--sanitizer none --target-dir "$target_dir")
echo "== building the fuzz targets (release, debug assertions on, into $target_dir)"
cargo fuzz build "${build[@]}"

for target in "${targets[@]}"; do
  seconds=$(seconds_for "$target")
  corpus="$work/corpus/$target"
  artifacts="$target_dir/artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  if [ -d "$work/seeds/$target" ]; then
    cp "$work/seeds/$target"/* "$corpus/"
  fi
  echo "== fuzzing $target for $seconds s (seeds: $(ls "$corpus" | wc -l))"
  # -rss_limit_mb: a runaway allocation that succeeds; -malloc_limit_mb: one that asks for more
  # at once (only where libFuzzer sees malloc; without a sanitizer a failed allocation aborts,
  # which is a crash all the same); -timeout: one input's seconds
  # libFuzzer prints a line per new input (tens of thousands in a run): kept in a file, its
  # closing lines shown, the last hundred on a finding
  log="$work/$target.log"
  if ! cargo fuzz run "${build[@]}" "$target" "$corpus" -- \
    -max_total_time="$seconds" -rss_limit_mb=1024 -malloc_limit_mb=512 -timeout=10 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 100 "$log"
    echo "== fuzzing $target: a finding (the input is under $artifacts/)" >&2
    exit 1
  fi
  grep -E '^(Done|stat::number_of_executed_runs|stat::peak_rss_mb)' "$log" || tail -n 5 "$log"
done
echo "== fuzzing: no finding in ${targets[*]}"
