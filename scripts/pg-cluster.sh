#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster (Debian 12's `postgresql`) for the PostgreSQL back end's
# tests and CI: initdb in a temporary folder as an unprivileged user, listening on a unix
# socket in that folder and on 127.0.0.1 at a free port, scram-sha-256 password login for a
# test role (CREATEDB: each test makes its own database) and a desk role owning nothing
# (`certdesk_test_desk`, granted per database by `store grant-desks`), pg_trgm in template1, TLS with a CA
# of its own (CERTDESK_TEST_PG_CA) for the clients that ask for it, and `certdesk_test_cert`, which
# must also show a client certificate the CA signed (CERTDESK_TEST_PG_CLIENT_CERT/_KEY).
#
#   bash scripts/pg-cluster.sh start   # init (once) and start; prints the two lines of `env`
#   bash scripts/pg-cluster.sh env     # CERTDESK_TEST_PG=postgres://…, its password file, the TLS CA
#   bash scripts/pg-cluster.sh stop    # stop and remove the folder
#   eval "$(bash scripts/pg-cluster.sh start)"
#
# The password is in a file (mode 600, the caller's), never in the URL. As root (CI) the
# server runs as the system user `certdesk-pg` (created if missing: postgres refuses to run as
# root); otherwise as the caller. The folder is $CERTDESK_PG_DIR, by default
# ${TMPDIR:-/tmp}/certdesk-pg-<uid>. Durability is off (fsync): the data is thrown away.
# CERTDESK_PG_OPTS adds server settings at start (e.g. "-c shared_buffers=1GB" for a benchmark).
set -euo pipefail
cmd=${1:-}
dir=${CERTDESK_PG_DIR:-${TMPDIR:-/tmp}/certdesk-pg-$(id -u)}
bin=/usr/lib/postgresql/15/bin
role=certdesk_test
db=certdesk_test

as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u certdesk-pg -- "$@"; else "$@"; fi
}

print_env() {
  [ -f "$dir/port" ] || { echo "pg-cluster: no cluster in $dir (run start)" >&2; exit 1; }
  echo "export CERTDESK_TEST_PG=postgres://$role@127.0.0.1:$(cat "$dir/port")/$db"
  echo "export CERTDESK_TEST_PG_PASSWORD_FILE=$dir/secrets/$role.password"
  echo "export CERTDESK_TEST_PG_CA=$dir/tls/ca.pem"
  echo "export CERTDESK_TEST_PG_DESK_PASSWORD_FILE=$dir/secrets/${role}_desk.password"
  echo "export CERTDESK_TEST_PG_CLIENT_CERT=$dir/tls/client.pem"
  echo "export CERTDESK_TEST_PG_CLIENT_KEY=$dir/tls/client.key"
}

running() {
  [ -f "$dir/data/postmaster.pid" ] && as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
  if [ ! -x "$bin/initdb" ]; then
    echo "pg-cluster: installing Debian's postgresql" >&2
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  if [ "$(id -u)" -eq 0 ] && ! id certdesk-pg >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin certdesk-pg
  fi
  if running; then print_env; return; fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    rm -rf "$dir"
    mkdir -p "$dir/secrets" "$dir/data" "$dir/run"
    chmod 700 "$dir/run"
    # the server's user may pass through the folder, not list it; secrets/ is the caller's
    chmod 711 "$dir"; chmod 700 "$dir/secrets"
    [ "$(id -u)" -eq 0 ] && chown certdesk-pg: "$dir/data" "$dir/run"
    # passwords: random, in files; the superuser's only readable by the server's user
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/secrets/$role.password"
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/secrets/${role}_desk.password"
    head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/run/admin.password"
    chmod 600 "$dir/secrets/$role.password" "$dir/secrets/${role}_desk.password" "$dir/run/admin.password"
    [ "$(id -u)" -eq 0 ] && chown certdesk-pg: "$dir/run/admin.password"
    as_server "$bin/initdb" -D "$dir/data" -U certdesk_admin --pwfile="$dir/run/admin.password" \
      --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$dir/port"
    # TLS: a CA of the cluster's own and the server's certificate for 127.0.0.1 / localhost,
    # the key only the server's (clients over TCP may ask for TLS: sslmode=require&sslrootcert=…)
    mkdir -p "$dir/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=certdesk test hall CA" \
      -keyout "$dir/tls/ca.key" -out "$dir/tls/ca.pem" >/dev/null 2>&1
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
      -keyout "$dir/run/server.key" -out "$dir/tls/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$dir/tls/san.ext"
    openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -CAcreateserial -days 30 \
      -extfile "$dir/tls/san.ext" -out "$dir/run/server.pem" >/dev/null 2>&1
    # a desk that must also show a certificate (sslcert/sslkey): the role ${role}_cert, whose
    # certificate the cluster's CA signs (CN = the role, as clientcert=verify-full checks)
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=${role}_cert" \
      -keyout "$dir/tls/client.key" -out "$dir/tls/client.csr" >/dev/null 2>&1
    printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n' >"$dir/tls/client.ext"
    openssl x509 -req -in "$dir/tls/client.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -CAcreateserial -days 30 \
      -extfile "$dir/tls/client.ext" -out "$dir/tls/client.pem" >/dev/null 2>&1
    chmod 600 "$dir/run/server.key" "$dir/tls/ca.key" "$dir/tls/client.key"
    # that role only over TLS with a certificate and its password; everyone else as initdb set
    { printf 'hostssl all %s_cert 127.0.0.1/32 scram-sha-256 clientcert=verify-full\nhost all %s_cert all reject\n' "$role" "$role"
      cat "$dir/data/pg_hba.conf"; } >"$dir/run/pg_hba.conf.new"
    as_server cp "$dir/run/pg_hba.conf.new" "$dir/data/pg_hba.conf"
    [ "$(id -u)" -eq 0 ] && chown certdesk-pg: "$dir/run/server.key" "$dir/run/server.pem"
  fi
  local port; port=$(cat "$dir/port")
  as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/run/server.log" -w -t 60 start \
    -o "-p $port -k $dir/run -h 127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=100 -c ssl=on -c ssl_cert_file=$dir/run/server.pem -c ssl_key_file=$dir/run/server.key -c ssl_ca_file=$dir/tls/ca.pem ${CERTDESK_PG_OPTS:-}" >/dev/null \
    || { cat "$dir/run/server.log" >&2; exit 1; }
  if [ ! -f "$dir/ready" ]; then
    local pw desk_pw; pw=$(cat "$dir/secrets/$role.password"); desk_pw=$(cat "$dir/secrets/${role}_desk.password")
    # the superuser logs in over the socket with its password (a private copy as a pgpass file)
    printf '*:*:*:certdesk_admin:%s\n' "$(cat "$dir/run/admin.password")" >"$dir/run/admin.pgpass"
    chmod 600 "$dir/run/admin.pgpass"
    [ "$(id -u)" -eq 0 ] && chown certdesk-pg: "$dir/run/admin.pgpass"
    as_server env PGPASSFILE="$dir/run/admin.pgpass" "$bin/psql" -q -v ON_ERROR_STOP=1 -h "$dir/run" -p "$port" -U certdesk_admin -d template1 <<SQL >/dev/null
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE ROLE $role LOGIN CREATEDB PASSWORD '$pw';
CREATE ROLE ${role}_desk LOGIN PASSWORD '$desk_pw';
CREATE ROLE ${role}_cert LOGIN CREATEDB PASSWORD '$pw';
CREATE DATABASE $db OWNER $role;
SQL
    touch "$dir/ready"
  fi
  print_env
}

stop() {
  if [ -d "$dir/data" ] && running; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  fi
  rm -rf "$dir"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
