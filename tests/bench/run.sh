#!/bin/sh
# make bench: submission latency, queue flush rate for 1,000 x 4 KB messages
# to a local sink (faultd, which stores each message and answers at once,
# so the figure is relayq's own cost; SINK=postfix measures through a real
# Postfix instead), and peak RSS of one submission (4 KB and 10 MB).
# Medians of RUNS runs; figures only, no pass/fail thresholds.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
export TOP BUILD
RUNS=${RUNS:-3}
N=${N:-1000}
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now_ns() { date +%s%N; }

PORT=$(free_port)
if [ "${SINK:-faultd}" = postfix ]; then
	postfix_start "$T/pf" "$PORT" || { echo "bench: postfix did not start"; exit 1; }
	at_exit "postfix_stop $T/pf"
else
	mkdir -p "$T/sink"
	"$BUILD/faultd" -p "$PORT" -o "$T/sink" & at_exit "kill $!"
	wait_port "$PORT"
fi
{ printf 'Subject: bench\n\n'; head -c 3000 /dev/urandom | base64 -w 76; } > "$T/4k"

lat=""; flush=""
for run in $(seq 1 "$RUNS"); do
	RQ=$T/rq$run
	rq_setup "$RQ" "$PORT" "deliver queue"
	: > "$T/lat.$run"
	for i in $(seq 1 "$N"); do
		t0=$(now_ns); rq "$RQ" -i "b$i@example.org" < "$T/4k"; t1=$(now_ns)
		echo $(( (t1 - t0) / 1000 )) >> "$T/lat.$run"
	done
	lat="$lat $(median < "$T/lat.$run")"
	t0=$(now_ns); "$BUILD/relayqd" -C "$RQ/relayq.conf" -q; t1=$(now_ns)
	left=$(rq_queued "$RQ")
	[ "$left" -eq 0 ] || echo "bench: run $run left $left messages queued"
	flush="$flush $(awk -v n="$N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')"
done
echo "submission latency, median per run (us):$lat -> median $(echo "$lat" | tr ' ' '\n' | grep . | median) us"
echo "flush rate, $N x 4 KB, msgs/s per run:$flush -> median $(echo "$flush" | tr ' ' '\n' | grep . | median) msgs/s"

RQ=$T/rqrss; rq_setup "$RQ" "$PORT" "deliver queue"
"$BUILD/rss" "$BUILD/sendmail" -C "$RQ/relayq.conf" -i r@example.org < "$T/4k" 2> "$T/rss4k"
{ printf 'Subject: big\n\n'; head -c 7500000 /dev/urandom | base64 -w 76; } > "$T/10m"
"$BUILD/rss" "$BUILD/sendmail" -C "$RQ/relayq.conf" -i r@example.org < "$T/10m" 2> "$T/rss10m"
echo "peak RSS of one submission: 4 KB message $(sed -n 's/maxrss_kib=//p' "$T/rss4k") KiB, 10 MB message $(sed -n 's/maxrss_kib=//p' "$T/rss10m") KiB"
