#!/usr/bin/env bash
# Load benchmark: check-in writes and the page mix at 1, 8, 32 and 128
# clients, beside the database's own raw write rate measured in the same run.
#
#   bench/load.sh [participants] [seconds per step]
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bridgeway_bench bench/load.sh 100000 10
#   BENCH_BINARY=/tmp/bridgeway-before bench/load.sh 10000 10    # an earlier build, to compare
#
# Builds the release binary, generates (or reuses) the demo database, serves
# it, and prints for each step the throughput, p50/p99 latency, errors and
# (for writes) the ratio to the raw rate: one row per commit with the same
# durability on the same disk (SQLite: bench/raw_sqlite.py; PostgreSQL:
# pgbench on a scratch database).
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
seconds="${2:-10}"
clients="${BENCH_CLIENTS:-1 8 32 128}"
db_url="${BENCH_DATABASE_URL:-sqlite://bench-${n}.db}"
bin="${BENCH_BINARY:-target/release/bridgeway}"
[ -n "${BENCH_BINARY:-}" ] || cargo build --release --quiet
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
if [[ "$db_url" == postgres* ]]; then
  [ -f bench.keys ] || "$bin" keys init --file bench.keys
  BRIDGEWAY_KEYS="$(cat bench.keys)"
  export BRIDGEWAY_KEYS
fi
port=18090
url="http://127.0.0.1:${port}"
work=$(mktemp -d)
"$bin" demo --participants "$n" --database-url "${db_url}" --bind "127.0.0.1:${port}" >/dev/null 2>"$work/server.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
until curl -fsS "${url}/readyz" >/dev/null 2>&1; do
  kill -0 $server 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done

# The raw rate: one row per commit, same durability, same disk.
raw_rate() {
  local c="$1"
  if [[ "$db_url" == postgres* ]]; then
    local base="${db_url%/*}"
    psql -q "${base}/postgres" -c "DROP DATABASE IF EXISTS bridgeway_bench_raw" -c "CREATE DATABASE bridgeway_bench_raw" >/dev/null
    psql -q "${base}/bridgeway_bench_raw" -c "CREATE TABLE rows (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, body TEXT NOT NULL)" >/dev/null
    printf "INSERT INTO rows (at, body) VALUES (now(), repeat('x', 200));\n" >"$work/raw.sql"
    pgbench -n -q -f "$work/raw.sql" -c "$c" -j 2 -T "$seconds" "${base}/bridgeway_bench_raw" 2>/dev/null |
      sed -n 's/^tps = \([0-9.]*\).*/\1/p' | cut -d. -f1
    psql -q "${base}/postgres" -c "DROP DATABASE bridgeway_bench_raw" >/dev/null
  else
    local file="${db_url#sqlite://}"
    python3 bench/raw_sqlite.py "$(dirname "$file")/bench-raw.db" "$seconds"
  fi
}

# An officer with cases of their own, signed in twice: a token for the API, a session for pages.
officer="${BENCH_OFFICER:-officer}"
token=$("$bin" admin create-token --database-url "${db_url}" --username "$officer" --name load --scope write 2>/dev/null)
jar="$work/jar"
curl -fsS -c "$jar" -o /dev/null -d "username=${officer}&password=bridgeway-demo-2026&acknowledge=on" "${url}/login"
# A code is accepted once: a run right after another waits for the next one.
for _ in $(seq 8); do
  code=$(curl -fsS -b "$jar" "${url}/mfa" | sed -n 's/.*id="demo-code">\([0-9]*\)<.*/\1/p')
  curl -fsS -b "$jar" -c "$jar" -o /dev/null -H "Sec-Fetch-Site: same-origin" -d "code=${code}" "${url}/mfa" && break
  sleep 5
done
cookie=$(awk '$6 ~ /session/ { print $6 "=" $7 }' "$jar" | paste -sd ';' -)
curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases?limit=100" >"$work/cases.json"
# A minute ago on the agency's wall clock (the demo's zone unless told).
when=$(TZ="${BENCH_ZONE:-America/Chicago}" date -d '1 minute ago' +%Y-%m-%dT%H:%M)
python3 - "$work" "$when" <<'PY'
import json, sys
work, when = sys.argv[1], sys.argv[2]
cases = json.load(open(f"{work}/cases.json"))["items"]
body = json.dumps({"kind": "office", "occurred_at": when, "note": "Reported in; employment verified"})
with open(f"{work}/writes.tsv", "w") as w:
    for c in cases:
        w.write(f"POST\t/api/v1/cases/{c['id']}/contacts\t{body}\n")
with open(f"{work}/pages.tsv", "w") as w:
    for c in cases:
        w.write(f"GET\t/work\n")
        w.write(f"GET\t/caseload\n")
        w.write(f"GET\t/people/{c['person_id']}\n")
        w.write(f"GET\t/cases/{c['id']}\n")
PY

run() {
  local requests="$1" c="$2"
  BENCH_REQUESTS="$requests" BENCH_AUTH="Bearer ${token}" BENCH_COOKIE="$cookie" \
    wrk -t "$(( c < 2 ? c : 2 ))" -c "$c" -d "${seconds}s" --timeout 10s -s bench/load.lua "$url" >"$work/wrk.out" 2>&1 || true
  grep '^RESULT ' "$work/wrk.out" | sed 's/^RESULT //' || { cat "$work/wrk.out" >&2; exit 1; }
}

report() {
  local label="$1" c="$2" result="$3" raw="${4:-}"
  local requests seconds p50_ms p99_ms errors server_errors
  eval "$result"
  local rate
  rate=$(echo "$requests / $seconds" | bc -l)
  if [ -n "$raw" ]; then
    printf "%-8s %4d clients  %7.0f/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  5xx %d  raw %6d/s  ratio %.2f\n" \
      "$label" "$c" "$rate" "$p50_ms" "$p99_ms" "$errors" "$server_errors" "$raw" "$(echo "$rate / $raw" | bc -l)"
  else
    printf "%-8s %4d clients  %7.0f/s  p50 %7.1f ms  p99 %7.1f ms  errors %d  5xx %d\n" \
      "$label" "$c" "$rate" "$p50_ms" "$p99_ms" "$errors" "$server_errors"
  fi
}

echo "binary: ${bin}, database: ${db_url}, ${n} participants, ${seconds} s per step, officer ${officer}"
for c in $clients; do
  raw=$(raw_rate "$c")
  report writes "$c" "$(run "$work/writes.tsv" "$c")" "$raw"
done
for c in $clients; do
  report pages "$c" "$(run "$work/pages.tsv" "$c")"
done
grep -c ' 500 \|status=500\|internal error' "$work/server.log" | sed 's/^/server log lines naming a 500: /' || true
