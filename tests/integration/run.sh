#!/bin/sh
# Runs every tests/integration/t_*.sh (or those matching $2) against the
# programs in build dir $1 and prints "integration: N passed, N failed".
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
export TOP BUILD
pass=0; fail=0
for t in "$TOP"/tests/integration/t_*.sh; do
	case "$t" in *"${2:-}"*) ;; *) continue ;; esac
	echo "# $(basename "$t")"
	if sh "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $(basename "$t")"; fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
