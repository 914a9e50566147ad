#!/bin/sh
# Runs each libFuzzer binary for $1 seconds from its seed corpus
# (tests/fuzz/corpus/NAME, if present) and fails if any finds a crash.
set -u
secs=$1; shift
top=$(cd "$(dirname "$0")/../.." && pwd)
pass=0; fail=0
for bin in "$@"; do
	name=$(basename "$bin")
	work=$(mktemp -d)
	seeds="$top/tests/fuzz/corpus/$name"
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
	if "$bin" -max_total_time="$secs" -max_len=8192 -artifact_prefix="$work/" \
	    "$work" >"$work.log" 2>&1; then
		pass=$((pass + 1)); echo "ok - $name: $(grep -o 'stat::number_of_executed_runs: *[0-9]*' "$work.log" | awk '{print $2}')$(tail -1 "$work.log" | grep -o 'Done [0-9]* runs')"
	else
		fail=$((fail + 1)); echo "not ok - $name"; tail -30 "$work.log"
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
