#!/bin/sh
# make bench (issue 18): relayq against its floor and its ceiling, measured
# side by side in one run, on one machine, so that the ratios mean
# something even when the absolute figures are noisy.
#   floor     tests/bench/floor: write + fsync + rename + directory fsync,
#             one process per message (fork + exec, as sendmail is run)
#   submit    relayq's `sendmail -t -i < 4 KB`, process start to exit,
#             alternated with the floor message by message (runmany)
#   ceiling   tests/bench/smtpblast: NCEIL x 4 KB over one connection,
#             pipelined across messages (RFC 2920 §3.1) and lock-step
#   flush     `relayqd -q` of N x 4 KB queued messages (pickup included),
#             to Postfix's smtp-sink, to faultd -D (a discarding sink like
#             smtp-sink), and to faultd -D with STARTTLS + AUTH PLAIN;
#             msgs/s, and relayqd's peak RSS
#   spool     tests/bench/spoolfloor: the file-system work of that flush
#             and nothing else (pickup's open, read, link and batched
#             syncs; open, read, unlink, close per message), the other
#             bound of a flush besides the ceiling
#   scale     flush rate and RSS with NBIG queued, `mailq` time with NBIG
#   rss       the submitter's peak RSS for a 4 KB and a 32 MB message
#   e2e       one message at a time, daemons running: `sendmail -t -i`
#             start to the sink's file closing (tests/bench/e2e), through
#             relayqd -q30m -f (woken by sendmail through its trigger FIFO),
#             through Postfix as a null client (tests/bench/peers.sh says
#             what is set) and, when installed, msmtp (no queue: a
#             reference); each to its own faultd, interleaved message by
#             message, NE2E per run after one warm-up message each
# RUNS runs (each does every measurement once, in turn); the table shows
# medians.  Every sample goes to BENCH_TSV (default BUILD/bench.tsv) as
# "metric<TAB>run<TAB>value".  No pass/fail: the table is the result.
# Environment: RUNS (3), N (1000), NBIG (100000, the issue's figure;
# NBIG=10000 saves minutes), NSUB (200 submissions per run), NCEIL
# (5000), BIG_MB (32), NE2E (20 messages per mailer per run), PF_SENDMAIL
# (/usr/sbin/sendmail: Postfix's, for the null client).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
export TOP BUILD
RUNS=${RUNS:-3}; N=${N:-1000}; NBIG=${NBIG:-100000}; NSUB=${NSUB:-200}
NCEIL=${NCEIL:-5000}; BIG_MB=${BIG_MB:-32}; NE2E=${NE2E:-20}
TSV=${BENCH_TSV:-$BUILD/bench.tsv}
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/bench/peers.sh"

: > "$TSV"
sample() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$TSV"; }
med() { awk -F '\t' -v m="$1" '$1 == m { print $3 }' "$TSV" | sort -n |
	awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
kv() { sed -n "s/^$1=//p" "$2"; }

# --- the sinks: smtp-sink, faultd, faultd with STARTTLS + AUTH PLAIN
SPORT=$(free_port)
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$SPORT" 256 & at_exit "kill $!"
FPORT=$(free_port); mkdir -p "$T/fsink"
"$BUILD/faultd" -D -p "$FPORT" -o "$T/fsink" & at_exit "kill $!"
C=$T/ca; mkdir -p "$C" "$T/tsink"
tls_make_ca "$C" && tls_make_cert "$C" sink "DNS:localhost,IP:127.0.0.1" || { echo "bench: no certificates"; exit 1; }
printf '%s\n' starttls "auth PLAIN" auth-tls-only "auth-user testuser testpass" > "$T/tsink/script"
TPORT=$(free_port)
"$BUILD/faultd" -D -p "$TPORT" -o "$T/tsink" -s "$T/tsink/script" -c "$C/sink.pem" -k "$C/sink.key" &
at_exit "kill $!"
wait_port "$SPORT"; wait_port "$FPORT"; wait_port "$TPORT"
printf 'AuthInfo:localhost "U:testuser" "P:testpass" "M:PLAIN"\n' > "$T/authinfo"
chmod 600 "$T/authinfo"
"$BUILD/relayq-makemap" hash "$T/authinfo" < "$T/authinfo"

# --- the message: 4 KB with a To: header (for -t), and one drop file of it
{ printf 'To: sink@example.org\nSubject: bench\n\n'; head -c 3000 /dev/urandom | base64 -w 76; } > "$T/4k"
rq_setup "$T/rqsub" "$SPORT"
rq "$T/rqsub" -t -i < "$T/4k"
DROP=$T/drop
mv "$(ls -d "$T"/rqsub/spool/maildrop/* | head -n 1)" "$DROP" || exit 1
mkdir -p "$T/floor"

# flush NAME RUN COUNT PORT [config lines]: COUNT queued copies of the drop
# file, synced (a file never written back is cheaper to delete), one
# `relayqd -q` timed; msgs/s and peak RSS as samples.
flush() {
	_name=$1 _run=$2 _n=$3 _port=$4; shift 4
	_rq=$T/q.$_name.$_run
	rq_setup "$_rq" "$_port" "$@"
	"$BUILD/qfill" "$DROP" "$_rq/spool/maildrop" "$_n" || exit 1
	sync	# as sendmail leaves them: on disk, their blocks allocated
	"$BUILD/rss" "$BUILD/relayqd" -C "$_rq/relayq.conf" -q 2> "$_rq/rss"
	_left=$(rq_queued "$_rq")
	[ "$_left" -eq 0 ] || echo "bench: $_name run $_run left $_left of $_n queued"
	sample "flush_$_name" "$_run" "$(awk -v n="$_n" -v us="$(kv wall_us "$_rq/rss")" 'BEGIN { printf "%.0f", n / (us / 1e6) }')"
	sample "rss_flush_$_name" "$_run" "$(kv maxrss_kib "$_rq/rss")"
	rm -rf "$_rq"
}
ceiling() { sample "$1" "$2" "$("$BUILD/smtpblast" $3 -p "$4" -n "$NCEIL" -f "$T/4k")"; }
spool_floor() {
	rq_setup "$T/sf" 1
	"$BUILD/qfill" "$DROP" "$T/sf/spool/maildrop" "$N" || exit 1
	sync
	sample spool_floor "$1" "$("$BUILD/spoolfloor" "$T/sf/spool/maildrop" "$T/sf/spool/queue")"
	rm -rf "$T/sf"
}
TLS="smarthost localhost:$TPORT|tls_ca $C/ca.pem|tls starttls|authinfo hash:$T/authinfo"

# --- end to end: the mailers, running, each with a faultd of its own.
# The e2e command line, built in "$@": SINKDIR command... [-- SINKDIR ...].
start_sink e2e_relayq
rq_setup "$T/rqd" "$PORT_e2e_relayq"
"$BUILD/relayqd" -C "$T/rqd/relayq.conf" -q30m -f 2> "$T/rqd/daemon.err" & at_exit "kill $!"
i=0; while [ ! -S "$T/rqd/submit" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$T/rqd/submit" ] || { echo "bench: relayqd -q30m -f did not start:"; cat "$T/rqd/daemon.err"; }
set -- "$T/e2e_relayq" "$BUILD/sendmail" -C "$T/rqd/relayq.conf" -t -i
E2E=relayq
PFSM=$(bench_postfix_sendmail) && [ -n "$PFSM" ] && start_sink e2e_postfix &&
	at_exit "postfix_stop $T/pf" && bench_postfix_start "$T/pf" "$PORT_e2e_postfix" &&
	set -- "$@" -- "$T/e2e_postfix" "$PFSM" -C "$T/pf/etc" -t -i && E2E="$E2E postfix" ||
	echo "bench: no Postfix null client, its rows stay empty"
if command -v msmtp > /dev/null 2>&1; then
	start_sink e2e_msmtp
	bench_msmtp_conf "$T/msmtp.conf" "$PORT_e2e_msmtp"
	set -- "$@" -- "$T/e2e_msmtp" "$(command -v msmtp)" -C "$T/msmtp.conf" -t -i
	E2E="$E2E msmtp"
fi
# e2e_samples E2E-ARGS: NE2E messages through each mailer; as run $run's
# samples, the arrival and exit times and the time between them.
e2e_samples() {
	"$BUILD/e2e" -n "$NE2E" "$T/4k" "$@" > "$T/e2e.out" || echo "bench: e2e run $run failed"
	_k=0
	for _m in $E2E; do
		awk -F '\t' -v k="$_k" -v r="$run" -v m="$_m" '$1 == k {
			printf "e2e_%s\t%s\t%s\nexit_%s\t%s\t%s\n", m, r, $3, m, r, $2
			printf "after_%s\t%s\t%s\n", m, r, $3 - $2 }' "$T/e2e.out" >> "$TSV"
		rm -f "$T/e2e_$_m"/msg.*; : > "$T/e2e_$_m/transcript.log"
		_k=$((_k + 1))
	done
}

echo "bench: RUNS=$RUNS N=$N NBIG=$NBIG NSUB=$NSUB NCEIL=$NCEIL NE2E=$NE2E ($E2E); samples in $TSV" >&2
for run in $(seq 1 "$RUNS"); do
	e2e_samples "$@"
	"$BUILD/runmany" "$NSUB" "$T/4k" "$BUILD/floor" "$T/floor" -- \
		"$BUILD/sendmail" -C "$T/rqsub/relayq.conf" -t -i > "$T/lat"
	sample submit_floor "$run" "$(awk '$1 == 0 { print $2 }' "$T/lat" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
	sample submit_relayq "$run" "$(awk '$1 == 1 { print $2 }' "$T/lat" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
	rm -f "$T"/floor/* "$T"/rqsub/spool/maildrop/*
	ceiling ceil_pipe_sink "$run" "" "$SPORT"
	spool_floor "$run"
	flush sink "$run" "$N" "$SPORT"
	ceiling ceil_lock_sink "$run" -l "$SPORT"
	ceiling ceil_pipe_faultd "$run" "" "$FPORT"
	flush faultd "$run" "$N" "$FPORT"
	OLDIFS=$IFS; IFS='|'
	# shellcheck disable=SC2086
	flush tls "$run" "$N" "$TPORT" $TLS
	IFS=$OLDIFS
	rm -f "$T"/fsink/msg.* "$T"/tsink/msg.*
	: > "$T/fsink/transcript.log"; : > "$T/tsink/transcript.log"
done

# --- scale: NBIG queued, once (its flush is compared with N's medians)
flush big 1 "$NBIG" "$SPORT"
rq_setup "$T/mq" 1
rq "$T/mq" -t -i < "$T/4k"
"$BUILD/relayqd" -C "$T/mq/relayq.conf" -q	# deferred: queue/QID.df, QID.qf
QID=$(ls "$T/mq/spool/queue" | sed -n 's/\.qf$//p')
"$BUILD/qfill" -q "$QID" "$T/mq/spool/queue" "$NBIG" || exit 1
"$BUILD/rss" "$BUILD/sendmail" -C "$T/mq/relayq.conf" -bp > "$T/mq/out" 2> "$T/mq/rss"
sample mailq_big_ms 1 "$(($(kv wall_us "$T/mq/rss") / 1000))"
sample mailq_big_lines 1 "$(grep -c '^BENCH' "$T/mq/out")"
[ "$(med mailq_big_lines)" -eq "$NBIG" ] || echo "bench: mailq listed $(med mailq_big_lines) of $NBIG"
rm -rf "$T/mq"

# --- the submitter's peak RSS: 4 KB and BIG_MB
"$BUILD/rss" "$BUILD/sendmail" -C "$T/rqsub/relayq.conf" -t -i < "$T/4k" 2> "$T/rss4k"
{ printf 'To: sink@example.org\nSubject: big\n\n'; head -c $((BIG_MB * 786432)) /dev/urandom | base64 -w 76; } > "$T/big"
"$BUILD/rss" "$BUILD/sendmail" -C "$T/rqsub/relayq.conf" -t -i < "$T/big" 2> "$T/rssbig"
sample rss_submit_4k 1 "$(kv maxrss_kib "$T/rss4k")"
sample rss_submit_big 1 "$(kv maxrss_kib "$T/rssbig")"
rm -f "$T/big"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
row() { printf '%-46s %12s %-9s %s\n' "$1" "$2" "$3" "$4"; }
echo
row "measure (median of $RUNS)" value unit "ratio (issue's target)"
row "submit floor (write+fsync+rename+dir fsync)" "$(med submit_floor)" us ""
row "submit relayq sendmail -t -i, 4 KB" "$(med submit_relayq)" us "$(ratio "$(med submit_relayq)" "$(med submit_floor)") x floor (<= 1.2)"
row "ceiling, smtp-sink, pipelined, 1 conn" "$(med ceil_pipe_sink)" msgs/s ""
row "ceiling, smtp-sink, lock-step, 1 conn" "$(med ceil_lock_sink)" msgs/s "$(ratio "$(med ceil_lock_sink)" "$(med ceil_pipe_sink)") x pipelined"
row "spool floor: the flush's file work alone" "$(med spool_floor)" msgs/s "$(ratio "$(med spool_floor)" "$(med ceil_pipe_sink)") x ceiling"
row "flush relayq -> smtp-sink, $N x 4 KB" "$(med flush_sink)" msgs/s "$(ratio "$(med flush_sink)" "$(med ceil_pipe_sink)") x ceiling (>= 0.8)"
row "" "" "" "$(ratio "$(med flush_sink)" "$(med spool_floor)") x spool floor"
row "ceiling, faultd, pipelined, 1 conn" "$(med ceil_pipe_faultd)" msgs/s ""
row "flush relayq -> faultd" "$(med flush_faultd)" msgs/s "$(ratio "$(med flush_faultd)" "$(med ceil_pipe_faultd)") x faultd ceiling (>= 0.8)"
row "flush relayq -> faultd STARTTLS+AUTH PLAIN" "$(med flush_tls)" msgs/s "$(ratio "$(med flush_tls)" "$(med ceil_pipe_faultd)") x faultd ceiling (>= 0.5)"
row "flush relayq -> smtp-sink, $NBIG queued" "$(med flush_big)" msgs/s "$(ratio "$(med flush_big)" "$(med flush_sink)") x the $N rate (>= 0.9)"
row "relayqd peak RSS, flush of $N" "$(med rss_flush_sink)" KiB ""
row "relayqd peak RSS, flush of $NBIG" "$(med rss_flush_big)" KiB "$(ratio "$(med rss_flush_big)" "$(med rss_flush_sink)") x (flat: ~1)"
row "mailq, $NBIG entries" "$(med mailq_big_ms)" ms "($(med mailq_big_lines) listed; < 2000 ms)"
row "sendmail peak RSS, 4 KB" "$(med rss_submit_4k)" KiB "(<= 1536)"
row "sendmail peak RSS, $BIG_MB MB" "$(med rss_submit_big)" KiB "$(ratio "$(med rss_submit_big)" "$(med rss_submit_4k)") x 4 KB (flat: ~1)"
row "e2e relayq (relayqd -q30m -f) -> faultd" "$(med e2e_relayq)" us "$(ratio "$(med e2e_relayq)" "$(med e2e_postfix)") x Postfix (<= 0.5)"
row "e2e Postfix null client -> faultd" "$(med e2e_postfix)" us ""
row "e2e msmtp -> faultd (sends, then exits)" "$(med e2e_msmtp)" us "$(ratio "$(med e2e_msmtp)" "$(med e2e_postfix)") x Postfix (a reference)"
row "e2e relayq, sendmail's exit to arrival" "$(med after_relayq)" us "$(ratio "$(med after_relayq)" "$(med after_postfix)") x Postfix's"
row "e2e Postfix, sendmail's exit to arrival" "$(med after_postfix)" us ""
row "submit relayq, daemon running (e2e's exit)" "$(med exit_relayq)" us ""
row "submit Postfix sendmail -t -i (e2e's exit)" "$(med exit_postfix)" us "$(ratio "$(med exit_postfix)" "$(med submit_floor)") x floor"
echo
bench_peer_lines
[ "$(rq_queued "$T/rqd")" -eq 0 ] || echo "bench: $(rq_queued "$T/rqd") message(s) left in relayqd's queue"
