#!/usr/bin/env bash
# The hall's failover rig (#33): two throwaway PostgreSQL 15 clusters on this machine (Debian
# 12's `postgresql`), a primary and a streaming standby made from it by `pg_basebackup -R`,
# synchronous by default (`synchronous_standby_names = '*'`, as the README's recipe) or
# asynchronous (`start --async`), the primary's WAL archived and a base backup taken at the
# start, for point-in-time recovery. The rehearsals (certdesk-bench/tests/hall_rehearsal.rs)
# drive it; an operator can too, to try the README's recipe by hand.
#
#   bash scripts/pg-failover.sh start [--async]   # both nodes up, the standby streaming; prints `env`
#   bash scripts/pg-failover.sh env               # the desks' address (both servers,
#                                                 # target_session_attrs=read-write), its password file, each node's own
#   bash scripts/pg-failover.sh status            # each node: port, primary / standby / down; the primary's standbys
#   bash scripts/pg-failover.sh kill-primary      # SIGKILL the primary's postmaster and every process of it
#   bash scripts/pg-failover.sh promote           # the standby alone (synchronous_standby_names cleared), then promoted
#   bash scripts/pg-failover.sh failover [S]      # kill-primary, S seconds (default 1) for someone to notice, promote
#   bash scripts/pg-failover.sh rejoin            # the old primary rewound (pg_rewind) and started as a standby of
#                                                 # the new one; checked in recovery and refusing a write
#   bash scripts/pg-failover.sh standby-down      # the standby stopped (a synchronous primary then holds every commit)
#   bash scripts/pg-failover.sh standby-up        # the standby started again, streaming
#   bash scripts/pg-failover.sh restore-point N   # a named restore point on the primary, its WAL archived
#   bash scripts/pg-failover.sh pitr --name N | --time T   # a third cluster from the base backup and the
#                                                 # archive, recovered to the target and promoted; prints its address
#   bash scripts/pg-failover.sh stop              # every node stopped, the folder removed
#
# Lines `KILLED_AT=…`, `PROMOTED_AT=…`, `RESTORE_POINT=…` carry the moment (Unix milliseconds,
# this machine's clock) a step took effect: the rehearsals measure from them. Roles as in
# pg-cluster.sh: `certdesk_test` (CREATEDB; in `pg_monitor`, so it may see the standbys' lag)
# with its password in a file of the caller's; the superuser `certdesk_admin` and the
# replication role `certdesk_repl` only the server's. As root (CI) the servers run as the system
# user `certdesk-pg`. The folder is $CERTDESK_HALL_DIR, by default
# ${TMPDIR:-/tmp}/certdesk-hall-<uid>. `fsync` is off (the data is thrown away; a SIGKILLed
# server loses nothing the kernel holds, and this machine does not crash in a rehearsal);
# `full_page_writes` and `wal_log_hints` are on, as pg_rewind needs them.
set -euo pipefail
cmd=${1:-}
[ $# -gt 0 ] && shift
dir=${CERTDESK_HALL_DIR:-${TMPDIR:-/tmp}/certdesk-hall-$(id -u)}
bin=/usr/lib/postgresql/15/bin
role=certdesk_test
db=certdesk_test

as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u certdesk-pg -- "$@"; else "$@"; fi
}

die() { echo "pg-failover: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
port_of() { cat "$dir/$1.port"; }
data_of() { echo "$dir/$1"; }
primary() { cat "$dir/primary"; }
standby() { cat "$dir/standby"; }

# psql as the superuser over the rig's socket, on node $1; the rest are psql's arguments
admin_sql() {
  local node=$1; shift
  as_server env PGPASSFILE="$dir/run/pgpass" "$bin/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$dir/run" -p "$(port_of "$node")" -U certdesk_admin -d postgres "$@"
}

# alive and not a zombie (a container's first process may be slow to reap one)
alive() {
  local stat; stat=$(ps -o stat= -p "$1" 2>/dev/null || true)
  [ -n "$stat" ] && [ "${stat#Z}" = "$stat" ]
}

# the node's postmaster alive (pg_ctl status would count a SIGKILLed one not yet reaped)
running() {
  local pidfile; pidfile="$(data_of "$1")/postmaster.pid"
  [ -f "$pidfile" ] && alive "$(head -n 1 "$pidfile")"
}

# starts node $1 on its port; cluster_name names it to its primary (pg_stat_replication) and in ps
start_node() {
  local node=$1
  as_server "$bin/pg_ctl" -D "$(data_of "$node")" -l "$dir/run/$node.log" -w -t 120 start \
    -o "-p $(port_of "$node") -c cluster_name=hall_$node ${2:-}" >/dev/null \
    || { tail -n 40 "$dir/run/$node.log" >&2; die "node $node did not start"; }
}

# waits (up to 60 s) until `admin_sql $1 -c "$2"` prints `t`
wait_for() {
  local node=$1 query=$2 what=$3
  for _ in $(seq 1 240); do
    [ "$(admin_sql "$node" -c "$query" 2>/dev/null || true)" = t ] && return 0
    sleep 0.25
  done
  die "$what: not after 60 s (node $node; its log: $dir/run/$node.log)"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url_of() {
  echo "postgres://$role@127.0.0.1:$(port_of "$1")/$db"
}

print_env() {
  [ -f "$dir/primary" ] || die "no rig in $dir (run start)"
  echo "export CERTDESK_HALL_URL=postgres://$role@127.0.0.1:$(port_of a),127.0.0.1:$(port_of b)/$db?target_session_attrs=read-write"
  echo "export CERTDESK_HALL_PASSWORD_FILE=$dir/secrets/$role.password"
  echo "export CERTDESK_HALL_PRIMARY_URL=$(url_of "$(primary)")"
  echo "export CERTDESK_HALL_STANDBY_URL=$(url_of "$(standby)")"
}

start() {
  local mode=sync
  [ "${1:-}" = --async ] && mode=async
  if [ ! -x "$bin/initdb" ]; then
    echo "pg-failover: installing Debian's postgresql" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  if [ "$(id -u)" -eq 0 ] && ! id certdesk-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin certdesk-pg
  fi
  [ -e "$dir" ] && die "$dir exists (a rig is up: stop it first)"
  # a start that fails half-way leaves nothing running
  trap 'stop' EXIT
  mkdir -p "$dir/secrets" "$dir/run" "$dir/archive" "$dir/base" "$dir/a" "$dir/b"
  # the server's user may pass through the folder, not list it; secrets/ is the caller's
  chmod 711 "$dir"; chmod 700 "$dir/secrets" "$dir/run" "$dir/archive" "$dir/base" "$dir/a" "$dir/b"
  [ "$(id -u)" -eq 0 ] && chown certdesk-pg: "$dir/run" "$dir/archive" "$dir/base" "$dir/a" "$dir/b"
  head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/secrets/$role.password"
  printf '*:*:*:%s:%s\n' "$role" "$(cat "$dir/secrets/$role.password")" >"$dir/secrets/$role.pgpass"
  chmod 600 "$dir/secrets/$role.password" "$dir/secrets/$role.pgpass"
  local admin_pw repl_pw pw
  admin_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  repl_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
  pw=$(cat "$dir/secrets/$role.password")
  # the superuser's and the replication role's passwords: only the server's user reads them
  printf '%s\n' "$admin_pw" | as_server tee "$dir/run/admin.password" >/dev/null
  printf '*:*:*:certdesk_admin:%s\n*:*:*:certdesk_repl:%s\n' "$admin_pw" "$repl_pw" | as_server tee "$dir/run/pgpass" >/dev/null
  as_server chmod 600 "$dir/run/admin.password" "$dir/run/pgpass"
  free_port >"$dir/a.port"; free_port >"$dir/b.port"

  as_server "$bin/initdb" -D "$dir/a" -U certdesk_admin --pwfile="$dir/run/admin.password" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/run/initdb.log" 2>&1 \
    || { cat "$dir/run/initdb.log" >&2; die "initdb failed"; }
  # in postgresql.conf, so pg_basebackup copies it to the standby (as an operator's copy does);
  # each node's port and name are given when it starts
  local sync_names="''"; [ "$mode" = sync ] && sync_names="'*'"
  as_server tee -a "$dir/a/postgresql.conf" >/dev/null <<CONF

# certdesk's failover rig (scripts/pg-failover.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 100
fsync = off
full_page_writes = on
wal_log_hints = on
wal_level = replica
max_wal_senders = 8
wal_keep_size = '256MB'
archive_mode = on
archive_command = 'test ! -f $dir/archive/%f && cp %p $dir/archive/%f'
restore_command = 'cp $dir/archive/%f %p'
synchronous_commit = on
synchronous_standby_names = $sync_names
CONF
  start_node a
  # the standby is not there yet: these commits must not wait for it
  as_server env PGPASSFILE="$dir/run/pgpass" PGOPTIONS="-c synchronous_commit=local" "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$(port_of a)" -U certdesk_admin -d template1 <<SQL >/dev/null
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE ROLE $role LOGIN CREATEDB PASSWORD '$pw';
GRANT pg_monitor TO $role;
CREATE ROLE certdesk_repl LOGIN REPLICATION PASSWORD '$repl_pw';
CREATE DATABASE $db OWNER $role;
SQL
  # the base backup of the point-in-time recovery (tar, compressed, its WAL inside)
  as_server env PGPASSFILE="$dir/run/pgpass" "$bin/pg_basebackup" -h 127.0.0.1 -p "$(port_of a)" -U certdesk_repl \
    -D "$dir/base" -Ft -z -X fetch -c fast --no-sync >/dev/null 2>"$dir/run/base.log" || { cat "$dir/run/base.log" >&2; die "the base backup failed"; }
  # the standby: a copy of the primary that follows it (-R: primary_conninfo and standby.signal)
  as_server env PGPASSFILE="$dir/run/pgpass" "$bin/pg_basebackup" -h 127.0.0.1 -p "$(port_of a)" -U certdesk_repl \
    -D "$dir/b" -R -X stream -c fast --no-sync >/dev/null 2>"$dir/run/basebackup.log" || { cat "$dir/run/basebackup.log" >&2; die "pg_basebackup failed"; }
  echo a >"$dir/primary"; echo b >"$dir/standby"; echo "$mode" >"$dir/mode"
  start_node b
  wait_for a "SELECT count(*) > 0 FROM pg_stat_replication WHERE application_name = 'hall_b' AND state = 'streaming'" "the standby streaming"
  trap - EXIT
  print_env
}

# every process of node $1's server, SIGKILLed at once (a machine that died, not a shutdown);
# prints the moment of the kill
kill_node() {
  local data pm pids at
  data=$(data_of "$1")
  pm=$(head -n 1 "$data/postmaster.pid")
  pids=$(ps -o pid= --ppid "$pm" | tr '\n' ' ')
  at=$(now_ms)
  # shellcheck disable=SC2086
  kill -KILL "$pm" $pids
  for _ in $(seq 1 200); do
    alive "$pm" || break
    sleep 0.05
  done
  alive "$pm" && die "node $1's postmaster $pm outlived SIGKILL"
  echo "$at"
}

kill_primary() {
  local p at; p=$(primary)
  [ -f "$dir/down" ] && die "the primary is down already (node $(cat "$dir/down"))"
  running "$p" || die "the primary (node $p) is not running"
  at=$(kill_node "$p")
  echo "$p" >"$dir/down"
  echo "KILLED_AT=$at"
}

# The standby commits alone from now on: synchronous_standby_names cleared *before* it is
# promoted (it carries the primary's '*' from pg_basebackup, and promoted with it, every commit
# would wait for a standby that does not exist), then promoted; returns once it takes writes.
promote() {
  local s; s=$(standby)
  admin_sql "$s" -c "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()" >/dev/null
  wait_for "$s" "SELECT current_setting('synchronous_standby_names') = ''" "synchronous_standby_names cleared"
  as_server "$bin/pg_ctl" -D "$(data_of "$s")" -w -t 60 promote >/dev/null || die "pg_ctl promote failed (node $s)"
  wait_for "$s" "SELECT NOT pg_is_in_recovery()" "the promoted standby taking writes"
  echo "PROMOTED_AT=$(now_ms)"
  local old; old=$(primary)
  echo "$s" >"$dir/primary"; echo "$old" >"$dir/standby"
}

# The old primary as a standby of the new one: rewound to where the new timeline began
# (pg_rewind runs its crash recovery first), told where its primary is (primary_conninfo,
# standby.signal), started, and checked: in recovery, a write refused. Never a second writer:
# nothing here starts it without standby.signal.
rejoin() {
  local old new
  old=$(cat "$dir/down" 2>/dev/null) || die "no node is down (kill-primary first)"
  new=$(primary)
  [ "$old" != "$new" ] || die "node $old is down and the primary: promote the standby first"
  running "$old" && die "node $old is running: it must be down to be rewound"
  # the killed postmaster's lock files: its process may linger as a zombie a while, and a new
  # postmaster would take that for a server still running
  rm -f "$(data_of "$old")/postmaster.pid" "$dir/run/.s.PGSQL.$(port_of "$old")" "$dir/run/.s.PGSQL.$(port_of "$old").lock"
  # a freshly promoted server names its new timeline in its control file only at its next
  # checkpoint; before it, pg_rewind sees one timeline and rewinds nothing
  admin_sql "$new" -c "CHECKPOINT" >/dev/null
  as_server env PGPASSFILE="$dir/run/pgpass" "$bin/pg_rewind" --target-pgdata="$(data_of "$old")" \
    --source-server="host=$dir/run port=$(port_of "$new") user=certdesk_admin dbname=postgres" >"$dir/run/rewind.log" 2>&1 \
    || { cat "$dir/run/rewind.log" >&2; die "pg_rewind failed"; }
  # pg_rewind copied the new primary's postgresql.auto.conf (its primary_conninfo pointed at
  # this node): the last line of a setting wins
  printf "primary_conninfo = 'host=127.0.0.1 port=%s user=certdesk_repl passfile=%s application_name=hall_%s'\n" \
    "$(port_of "$new")" "$dir/run/pgpass" "$old" | as_server tee -a "$(data_of "$old")/postgresql.auto.conf" >/dev/null
  as_server touch "$(data_of "$old")/standby.signal"
  start_node "$old"
  [ "$(admin_sql "$old" -c "SELECT pg_is_in_recovery()")" = t ] || die "node $old is not in recovery after the rejoin"
  local refused
  refused=$(PGPASSFILE="$dir/secrets/$role.pgpass" "$bin/psql" -X -q -At -h 127.0.0.1 -p "$(port_of "$old")" -U "$role" -d "$db" \
    -c "CREATE TABLE certdesk_rejoin_probe (x int)" 2>&1 || true)
  case "$refused" in
    *"read-only transaction"*) ;;
    *) die "node $old took a write after the rejoin: $refused" ;;
  esac
  wait_for "$new" "SELECT count(*) > 0 FROM pg_stat_replication WHERE application_name = 'hall_$old' AND state = 'streaming'" "node $old streaming from node $new"
  rm -f "$dir/down"
  # a standby is back: commits wait for it again (synchronous mode)
  if [ "$(cat "$dir/mode")" = sync ]; then
    admin_sql "$new" -c "ALTER SYSTEM SET synchronous_standby_names = '*'" -c "SELECT pg_reload_conf()" >/dev/null
    wait_for "$new" "SELECT count(*) > 0 FROM pg_stat_replication WHERE application_name = 'hall_$old' AND sync_state = 'sync'" "node $old a synchronous standby"
  fi
  echo "REJOINED=$old"
}

standby_down() {
  local s; s=$(standby)
  running "$s" || die "the standby (node $s) is not running"
  as_server "$bin/pg_ctl" -D "$(data_of "$s")" -m fast -w stop >/dev/null
}

standby_up() {
  local s; s=$(standby)
  running "$s" && die "the standby (node $s) is running"
  start_node "$s"
  wait_for "$(primary)" "SELECT count(*) > 0 FROM pg_stat_replication WHERE application_name = 'hall_$s' AND state = 'streaming'" "node $s streaming"
}

restore_point() {
  local name=${1:-}
  [[ "$name" =~ ^[a-z0-9_]{1,60}$ ]] || die "restore-point NAME (a-z, 0-9, _)"
  local p; p=$(primary)
  admin_sql "$p" -c "SELECT pg_create_restore_point('$name')" >/dev/null
  echo "RESTORE_POINT=$(now_ms)"
  # the segment holding it completed (pg_walfile_name of the switch's end names that segment),
  # so the archive has it
  local segment
  segment=$(admin_sql "$p" -c "SELECT pg_walfile_name(pg_switch_wal())")
  wait_for "$p" "SELECT coalesce(last_archived_wal >= '$segment', false) FROM pg_stat_archiver" "the restore point's WAL archived"
}

# A third cluster from the base backup and the archive, recovered to a named restore point or
# a moment, then promoted; it archives nothing (its new timeline is not the hall's) and commits
# alone. Prints its address.
pitr() {
  local target
  case "${1:-}" in
    --name) [[ "${2:-}" =~ ^[a-z0-9_]{1,60}$ ]] || die "pitr --name NAME"; target="recovery_target_name = '$2'" ;;
    --time) [[ "${2:-}" =~ ^[0-9:\ .+-]{10,40}$ ]] || die "pitr --time 'YYYY-MM-DD HH:MM:SS.ffffff+08'"; target="recovery_target_time = '$2'" ;;
    *) die "pitr --name NAME | --time TIMESTAMP" ;;
  esac
  if [ -f "$dir/pitr.port" ] && running pitr; then as_server "$bin/pg_ctl" -D "$dir/pitr" -m immediate -w stop >/dev/null; fi
  rm -rf "$dir/pitr"
  mkdir -p "$dir/pitr"; chmod 700 "$dir/pitr"
  [ "$(id -u)" -eq 0 ] && chown certdesk-pg: "$dir/pitr"
  as_server tar -xzf "$dir/base/base.tar.gz" -C "$dir/pitr"
  rm -f "$dir/pitr/standby.signal"
  as_server tee -a "$dir/pitr/postgresql.auto.conf" >/dev/null <<CONF
restore_command = 'cp $dir/archive/%f %p'
$target
recovery_target_action = 'promote'
recovery_target_timeline = 'latest'
CONF
  as_server touch "$dir/pitr/recovery.signal"
  free_port >"$dir/pitr.port"
  start_node pitr "-c archive_mode=off -c synchronous_standby_names="
  wait_for pitr "SELECT NOT pg_is_in_recovery()" "the recovered cluster promoted at its target"
  grep -q "recovery stopping" "$dir/run/pitr.log" || die "the recovery did not stop at its target (log: $dir/run/pitr.log)"
  echo "export CERTDESK_HALL_PITR_URL=$(url_of pitr)"
}

status() {
  local node state
  for node in a b pitr; do
    [ -f "$dir/$node.port" ] || continue
    case "$(admin_sql "$node" -c "SELECT pg_is_in_recovery()" 2>/dev/null || echo down)" in
      t) state=standby ;;
      f) state="primary (synchronous_standby_names '$(admin_sql "$node" -c "SHOW synchronous_standby_names")')" ;;
      *) state=down ;;
    esac
    echo "node $node 127.0.0.1:$(port_of "$node"): $state"
    case "$state" in
      primary*) admin_sql "$node" -F ' ' -c "SELECT '  standby', application_name, state, sync_state, coalesce(replay_lag::text, '-') FROM pg_stat_replication" ;;
    esac
  done
}

stop() {
  local node
  for node in pitr a b; do
    if [ -d "$dir/$node" ] && running "$node"; then
      as_server "$bin/pg_ctl" -D "$dir/$node" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$dir"
}

case "$cmd" in
  start) start "$@" ;;
  env) print_env ;;
  status) status ;;
  kill-primary) kill_primary ;;
  promote) promote ;;
  failover)
    kill_primary
    sleep "${1:-1}"
    promote
    ;;
  rejoin) rejoin ;;
  standby-down) standby_down ;;
  standby-up) standby_up ;;
  restore-point) restore_point "$@" ;;
  pitr) pitr "$@" ;;
  stop) stop ;;
  *) echo "usage: $0 start [--async]|env|status|kill-primary|promote|failover [S]|rejoin|standby-down|standby-up|restore-point NAME|pitr --name N|--time T|stop" >&2; exit 2 ;;
esac
