#!/usr/bin/env bash
# Load benchmark: check-in writes and the page mix at 1, 8, 32 and 128
# clients, beside the database's own raw write rate measured in the same run.
#
#   bench/load.sh [participants] [seconds per step]
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bridgeway_bench bench/load.sh 100000 10
#   BENCH_BINARY=/tmp/bridgeway-before bench/load.sh 10000 10    # an earlier build, to compare
#   BENCH_SERVERS=2 BENCH_DATABASE_URL=postgres://… bench/load.sh 10000 10  # two servers, one database
#
# Builds the release binary, generates the demo agency once (bench-<N>.db, or
# the PostgreSQL database named) and runs on a fresh copy of it, so that runs
# compare. Eight officers, each signed in with a token (writes) and a session
# (pages), work their own caseloads. For each step it prints the throughput,
# p50/p99 latency, errors and, for writes, the ratio to the raw rate: one row
# per commit with the same durability on the same disk (SQLite:
# bench/raw_sqlite.py; PostgreSQL: pgbench with as many clients). With
# BENCH_SERVERS=2 (PostgreSQL) a second `bridgeway serve` on the same
# database takes half the clients; the step's throughput is the sum of both
# and its p50/p99 the slower server's.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
seconds="${2:-10}"
clients="${BENCH_CLIENTS:-1 8 32 128}"
servers="${BENCH_SERVERS:-1}"
officers="${BENCH_OFFICERS:-officer jkim tobrien lgarcia aokafor pnguyen bwalker shill}"
pristine_url="${BENCH_DATABASE_URL:-sqlite://bench-${n}.db}"
bin="${BENCH_BINARY:-target/release/bridgeway}"
[ -n "${BENCH_BINARY:-}" ] || cargo build --release --quiet
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
if [[ "$pristine_url" == postgres* ]]; then
  export PGOPTIONS="--client-min-messages=warning"
  # PostgreSQL keeps no key file beside the database: one is made for the bench.
  [ -f bench.keys ] || "$bin" keys init --file bench.keys
  BRIDGEWAY_KEYS="$(cat bench.keys)"
  export BRIDGEWAY_KEYS
  base="${pristine_url%/*}"
  pristine_db="${pristine_url##*/}"
  db_url="${base}/${pristine_db}_run"
else
  [ "$servers" = 1 ] || { echo "BENCH_SERVERS needs PostgreSQL (SQLite has one writer a file)" >&2; exit 1; }
  pristine_file="${pristine_url#sqlite://}"
  db_url="sqlite://${pristine_file%.db}-run.db"
fi
port=18090
url="http://127.0.0.1:${port}"
work=$(mktemp -d)
server=
second=
trap 'for s in $server $second; do kill $s 2>/dev/null; wait $s 2>/dev/null || true; done; rm -rf "$work"' EXIT

serve() {
  "$bin" demo --participants "$n" --database-url "$1" --bind "127.0.0.1:${port}" >/dev/null 2>"$work/server.log" &
  server=$!
  until curl -fsS "${url}/readyz" >/dev/null 2>&1; do
    kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.5
  done
}

stop() {
  kill $server; wait $server 2>/dev/null || true; server=
}

# The demo agency, generated once; each run works on a copy.
if [[ "$pristine_url" == postgres* ]]; then
  psql -q "${base}/postgres" -c "DROP DATABASE IF EXISTS ${pristine_db}_run" >/dev/null
  if ! psql -qtA "${pristine_url}" -c "SELECT 1 FROM counters WHERE name = 'demo'" 2>/dev/null | grep -q 1; then
    psql -q "${base}/postgres" -c "CREATE DATABASE ${pristine_db}" >/dev/null 2>&1 || true
    serve "$pristine_url" && stop
  fi
  psql -q "${base}/postgres" -c "CREATE DATABASE ${pristine_db}_run TEMPLATE ${pristine_db}" >/dev/null
else
  [ -f "$pristine_file" ] || { serve "$pristine_url" && stop; }
  run_file="${db_url#sqlite://}"
  rm -f "$run_file"{,-wal,-shm,-reads,-reads-wal,-reads-shm}
  # The server has stopped; what its log still holds is part of the database.
  for part in "" -wal -shm .keys; do
    [ ! -f "$pristine_file$part" ] || cp "$pristine_file$part" "$run_file$part"
  done
fi
# Tokens first, while no server holds the database: a command-line write
# waits on SQLite's one writer, and the server's start-up sweep keeps it busy.
declare -A tokens
for who in $officers; do
  tokens[$who]=$("$bin" admin create-token --database-url "${db_url}" --username "$who" --name load --scope write 2>/dev/null)
done
serve "$db_url"
if [ "$servers" = 2 ]; then
  "$bin" serve --database-url "$db_url" --bind "127.0.0.1:$(( port + 1 ))" >/dev/null 2>"$work/second.log" &
  second=$!
  until curl -fsS "http://127.0.0.1:$(( port + 1 ))/readyz" >/dev/null 2>&1; do
    kill -0 $second 2>/dev/null || { cat "$work/second.log"; exit 1; }
    sleep 0.5
  done
fi

# The raw rate: one row per commit, same durability, same disk.
raw_rate() {
  local c="$1"
  if [[ "$db_url" == postgres* ]]; then
    psql -q "${base}/postgres" -c "DROP DATABASE IF EXISTS bridgeway_bench_raw" -c "CREATE DATABASE bridgeway_bench_raw" >/dev/null
    psql -q "${base}/bridgeway_bench_raw" -c "CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, body TEXT NOT NULL)" >/dev/null
    printf "INSERT INTO rows (at, body) VALUES (now(), repeat('x', 200));\n" >"$work/raw.sql"
    # PostgreSQL takes 100 connections by default and the server holds 16: pgbench stops at 80.
    local pc=$(( c < 80 ? c : 80 ))
    pgbench -n -f "$work/raw.sql" -c "$pc" -j "$(( pc < 2 ? pc : 2 ))" -T "$seconds" "${base}/bridgeway_bench_raw" 2>/dev/null |
      sed -n 's/^tps = \([0-9.]*\).*/\1/p' | cut -d. -f1
    psql -q "${base}/postgres" -c "DROP DATABASE bridgeway_bench_raw" >/dev/null
  else
    python3 bench/raw_sqlite.py "$(dirname "$pristine_file")/bench-raw.db" "$seconds"
  fi
}

# Each officer signed in twice: a token for the API, a session for pages.
# A code is accepted once a user: a run right after another waits for the next.
sign_in() {
  local who="$1" jar="$work/jar-$1"
  curl -fsS -c "$jar" -o /dev/null -d "username=${who}&password=bridgeway-demo-2026&acknowledge=on" "${url}/login"
  for _ in $(seq 8); do
    local code
    code=$(curl -fsS -b "$jar" "${url}/mfa" | sed -n 's/.*id="demo-code">\([0-9]*\)<.*/\1/p')
    curl -fsS -b "$jar" -c "$jar" -o /dev/null -H "Sec-Fetch-Site: same-origin" -d "code=${code}" "${url}/mfa" 2>/dev/null && break
    sleep 5
  done
  awk '$6 ~ /session/ { print $6 "=" $7 }' "$jar"
}

# A minute ago on the agency's wall clock (the demo's zone unless told).
when=$(TZ="${BENCH_ZONE:-America/Chicago}" date -d '1 minute ago' +%Y-%m-%dT%H:%M)
: >"$work/officers.tsv"
for who in $officers; do
  token="${tokens[$who]}"
  cookie=$(sign_in "$who")
  curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases?limit=100" >"$work/cases-$who.json"
  printf '%s\t%s\t%s\n' "$who" "$token" "$cookie" >>"$work/officers.tsv"
done
python3 - "$work" "$when" <<'PY'
import json, random, sys
work, when = sys.argv[1], sys.argv[2]
body = json.dumps({"kind": "office", "occurred_at": when, "note": "Reported in; employment verified"})
writes, pages = [], []
for line in open(f"{work}/officers.tsv"):
    who, token, cookie = line.rstrip("\n").split("\t")
    auth = f"Bearer {token}"
    for c in json.load(open(f"{work}/cases-{who}.json"))["items"]:
        writes.append(f"POST\t/api/v1/cases/{c['id']}/contacts\tauth={auth}\t{body}")
        pages += [f"GET\t/work\tcookie={cookie}\t", f"GET\t/caseload\tcookie={cookie}\t",
                  f"GET\t/people/{c['person_id']}\tcookie={cookie}\t", f"GET\t/cases/{c['id']}\tcookie={cookie}\t"]
random.seed(1)
for name, lines in (("writes", writes), ("pages", pages)):
    random.shuffle(lines)
    open(f"{work}/{name}.tsv", "w").write("\n".join(lines) + "\n")
PY

# One step: wrk against each server at once (the clients split between
# them), their results summed (requests, errors) or the worse taken (time,
# latency).
run() {
  local requests="$1" c="$2" i
  local each=$(( c / servers > 0 ? c / servers : 1 ))
  rm -f "$work"/wrk-*.out
  for i in $(seq 0 $(( servers - 1 ))); do
    BENCH_REQUESTS="$requests" wrk -t "$(( each < 2 ? each : 2 ))" -c "$each" -d "${seconds}s" --timeout 10s \
      -s bench/load.lua "http://127.0.0.1:$(( port + i ))" >"$work/wrk-$i.out" 2>&1 &
  done
  # In the command substitution that calls it, the only children are wrk.
  wait
  cat "$work"/wrk-*.out | grep '^RESULT ' | sed 's/^RESULT //' | awk '
    { for (i = 1; i <= NF; i++) { split($i, kv, "="); k = kv[1]; v = kv[2] + 0
        if (k == "requests" || k == "errors" || k == "server_errors") sum[k] += v
        else if (v > worst[k]) worst[k] = v } ; n++ }
    END { if (n == 0) exit 1
      printf "requests=%d seconds=%s p50_ms=%s p99_ms=%s errors=%d server_errors=%d\n",
        sum["requests"], worst["seconds"], worst["p50_ms"], worst["p99_ms"], sum["errors"], sum["server_errors"] }' ||
    { cat "$work"/wrk-*.out >&2; exit 1; }
}

report() {
  local label="$1" c="$2" result="$3" raw="${4:-}"
  local requests seconds p50_ms p99_ms errors server_errors
  eval "$result"
  local rate
  rate=$(echo "$requests / $seconds" | bc -l)
  printf "%-6s %4d clients %7.0f/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  5xx %d" \
    "$label" "$c" "$rate" "$p50_ms" "$p99_ms" "$errors" "$server_errors"
  [ -z "$raw" ] || printf "  raw %6d/s  ratio %.2f" "$raw" "$(echo "$rate / $raw" | bc -l)"
  printf "\n"
}

echo "binary ${bin}; database ${pristine_url} (run on a copy), ${n} participants; ${servers} server(s); ${seconds} s a step; officers: ${officers}"
for c in $clients; do
  raw=$(raw_rate "$c")
  report writes "$c" "$(run "$work/writes.tsv" "$c")" "$raw"
done
for c in $clients; do
  report pages "$c" "$(run "$work/pages.tsv" "$c")"
done
echo "server log lines naming a 500: $(cat "$work"/server.log "$work"/second.log 2>/dev/null | grep -c 'status=500\|internal error' || true)"
