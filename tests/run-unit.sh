#!/bin/sh
# Runs every cmocka unit-test binary given on the command line and prints
# one summary line "N passed, N failed" (a failing binary counts once).
pass=0; fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t"; fi
done
echo "unit: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
