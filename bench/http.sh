#!/usr/bin/env bash
# Times the pages and API calls an officer makes all day against a demo
# database of a given size, from a second process on loopback.
#
#   bench/http.sh [participants] [requests per route]
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1/bridgeway_bench bench/http.sh 100000 40
#
# Builds the release binary, generates (or reuses) bench-<N>.db (or the
# PostgreSQL database named), serves it, and prints the median and 95th
# percentile of each route in milliseconds.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
reps="${2:-50}"
db_url="${BENCH_DATABASE_URL:-sqlite://bench-${n}.db}"
if [[ "$db_url" == postgres* ]]; then
  # PostgreSQL keeps no key file beside the database: one is made for the bench.
  [ -f bench.keys ] || { cargo build --release --quiet && target/release/bridgeway keys init --file bench.keys; }
  BRIDGEWAY_KEYS="$(cat bench.keys)"
  export BRIDGEWAY_KEYS
fi
port=18089
url="http://127.0.0.1:${port}"

cargo build --release --quiet
start=$(date +%s.%N)
target/release/bridgeway demo --participants "$n" --database-url "${db_url}" --bind "127.0.0.1:${port}" >/dev/null 2>bench-server.log &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
until curl -fsS "${url}/readyz" >/dev/null 2>&1; do
  kill -0 $server 2>/dev/null || { cat bench-server.log; exit 1; }
  sleep 0.2
done
echo "demo database of ${n} participants ready in $(echo "$(date +%s.%N) - $start" | bc) s (includes generation on first use)"

jar=$(mktemp)
curl -fsS -c "$jar" -o /dev/null -H "Sec-Fetch-Site: same-origin" -d "username=officer&password=bridgeway-demo-2026&acknowledge=on" "${url}/login"
code=$(curl -fsS -b "$jar" "${url}/mfa" | sed -n 's/.*id="demo-code">\([0-9]*\)<.*/\1/p')
curl -fsS -b "$jar" -c "$jar" -o /dev/null -H "Sec-Fetch-Site: same-origin" -d "code=${code}" "${url}/mfa"
token=$(target/release/bridgeway admin create-token --database-url "${db_url}" --username officer --name bench 2>/dev/null)
first_case=$(curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases?limit=1")
case_id=$(printf '%s' "$first_case" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
person=$(printf '%s' "$first_case" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["person_id"])')
# An active case: assessed, with a signed plan.
active=$(curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases?status=active&limit=1")
active_case=$(printf '%s' "$active" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
plans=$(curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases/${active_case}/case-plans")
plan=$(printf '%s' "$plans" | python3 -c 'import json,sys; print(json.load(sys.stdin)["versions"][0]["id"])')
assessments=$(curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases/${active_case}/assessments")
assessment=$(printf '%s' "$assessments" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
active_person=$(curl -fsS -H "Authorization: Bearer ${token}" "${url}/api/v1/cases/${active_case}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["person_id"])')

measure() {
  local label="$1"; shift
  local times=()
  for _ in $(seq "$reps"); do
    local out
    out=$(curl -fsS -o /dev/null -w '%{http_code} %{time_total}' "$@")
    # A redirect (to the sign-in page) would time nothing worth knowing.
    [ "${out%% *}" = 200 ] || { echo "${label}: answered ${out%% *}, not 200" >&2; exit 1; }
    times+=("${out#* }")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" '{ t[NR] = $1 * 1000 } END {
    printf "%-44s median %7.1f ms   p95 %7.1f ms\n", label, t[int((NR + 1) / 2)], t[int(NR * 0.95 + 0.5)] }'
}

measure "page: work queue (alerts, today)"  -b "$jar" "${url}/work"
measure "api: work queue"                  -H "Authorization: Bearer ${token}" "${url}/api/v1/work-queue"
measure "page: my caseload"                -b "$jar" "${url}/caseload"
measure "page: my caseload, sorted by end"  -b "$jar" "${url}/caseload?sort=end"
measure "page: caseload by last contact"   -b "$jar" "${url}/caseload?sort=contact"
measure "page: caseload, silent, 200 rows" -b "$jar" "${url}/caseload?attention=silent&per=200"
measure "page: caseload as CSV (all rows)" -b "$jar" "${url}/caseload.csv"
measure "page: participant (with timeline)" -b "$jar" "${url}/people/${person}"
measure "api: participant with timeline"   -H "Authorization: Bearer ${token}" "${url}/api/v1/people/${person}"
measure "page: case (conditions, supervision, tests)" -b "$jar" "${url}/cases/${case_id}"
measure "page: search by last name"        -b "$jar" -d "q=garcia" "${url}/search"
measure "page: search by date of birth"    -b "$jar" -d "q=1990-04-01" "${url}/search"
measure "api: caseload page of 50"         -H "Authorization: Bearer ${token}" "${url}/api/v1/cases?limit=50"
measure "api: search by docket number"     -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '{"q": "CR-2026-000001"}' "${url}/api/v1/search"
measure "api: people page of 50"           -H "Authorization: Bearer ${token}" "${url}/api/v1/people?limit=50"
measure "page: active case (with its plan at a glance)" -b "$jar" "${url}/cases/${active_case}"
measure "page: participant with assessment charts" -b "$jar" "${url}/people/${active_person}"
measure "page: a case's assessments"      -b "$jar" "${url}/cases/${active_case}/assessments"
measure "page: an assessment (result, factors)" -b "$jar" "${url}/assessments/${assessment}"
measure "page: a case's plan versions"     -b "$jar" "${url}/cases/${active_case}/case-plans"
measure "page: a case plan version"        -b "$jar" "${url}/case-plans/${plan}"
measure "api: a case plan version"         -H "Authorization: Bearer ${token}" "${url}/api/v1/case-plans/${plan}"
measure "page: case notes"                 -b "$jar" "${url}/cases/${case_id}/notes"
measure "api: note search, one common word" -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '{"query": "employment"}' "${url}/api/v1/notes/search"
measure "api: note search, two words"      -H "Authorization: Bearer ${token}" -H "Content-Type: application/json" -d '{"query": "eviction landlord"}' "${url}/api/v1/notes/search"
measure "page: note search, rare word"     -b "$jar" -d "query=relapsed" "${url}/notes/search"
rm -f "$jar"
sweep_start=$(date +%s.%N)
target/release/bridgeway sweep-alerts --database-url "${db_url}" >/dev/null 2>&1
echo "alert sweep over the whole agency (steady state): $(echo "$(date +%s.%N) - $sweep_start" | bc) s"
