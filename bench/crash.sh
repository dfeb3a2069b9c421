#!/usr/bin/env bash
# The crash test at full strength: the real binary killed with SIGKILL at
# random moments while four clients write, CYCLES times (default 20; CI runs
# 5); after every restart each acknowledged write must be there and the
# audit trail must verify.
#
#   bench/crash.sh [CYCLES]
set -euo pipefail
cd "$(dirname "$0")/.."
BRIDGEWAY_CRASH_CYCLES="${1:-20}" cargo test --locked --test it -- \
  crash::acknowledged_writes_survive_a_kill_at_any_moment --exact --nocapture
