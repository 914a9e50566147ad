#!/bin/sh
# makemap.sh: build a 100,000-entry hash map with relayq-makemap and with
# Debian's sendmail makemap; prints the median of 5 runs for each.
# Usage: sh tests/bench/makemap.sh BUILD_DIR   (sendmail-bin: see t_makemap_interop.sh)
set -u
BUILD=${1:?build dir}
RQ=$BUILD/relayq-makemap
SM=${SENDMAIL_MAKEMAP:-/var/cache/relayq-test/sendmail-bin/usr/libexec/sendmail/makemap}
N=${N:-100000}
RUNS=5
[ -x "$SM" ] || { echo "skip: no sendmail makemap at $SM (run t_makemap_interop.sh first)"; exit 0; }
T=$(mktemp -d /tmp/relayq-bench.XXXXXX); chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "AuthInfo:host%d.Example.NET \"U:user%d\" \"P:pass%d\" \"M:PLAIN LOGIN\"\n", i, i, i }' >"$T/in"

# ms CMD...: wall-clock milliseconds of one run.
ms() {
	_s=$(date +%s%N); "$@" <"$T/in" >/dev/null 2>&1; _e=$(date +%s%N)
	echo $(( (_e - _s) / 1000000 ))
}
median() { sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"; }

for tool in relayq sendmail; do
	: >"$T/times"
	for _i in $(seq $RUNS); do
		rm -f "$T/map.db"
		if [ $tool = relayq ]; then ms "$RQ" hash "$T/map" >>"$T/times"
		else ms "$SM" -C /dev/null hash "$T/map" >>"$T/times"; fi
	done
	echo "$tool-makemap: $N entries, hash, median of $RUNS: $(median <"$T/times") ms" \
	    "(runs: $(tr '\n' ' ' <"$T/times"| sed 's/ $//'); size $(stat -c %s "$T/map.db") bytes)"
done
