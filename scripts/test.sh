#!/usr/bin/env bash
# Runs every test (unit and integration) and ends with one line: "N passed, N failed".
# Integration tests need root (they unpack images and chroot into them) and the packages below.
# Without root, the tests marked [RootFact]/[RootTheory] are skipped with their reason, the rest run:
#   dotnet test Drydock.sln -c Release   (a fast loop for a contributor without root)
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh || { echo "could not install the test dependencies" >&2; exit 1; }
bash scripts/debian-rootfs.sh || { echo "could not make the Debian rootfs of the Debian-based build tests" >&2; exit 1; }

log=$(mktemp)
dotnet test Drydock.sln -c Release --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- Failed: ' "$log" |
  sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
rm -f "$log"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build or host crash counts as a failure
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
