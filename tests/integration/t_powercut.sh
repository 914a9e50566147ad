# t_powercut: power cuts between every two file-system steps of the spool's
# transitions (issue 18).  kill -9 (t_crash) keeps the page cache, so it
# cannot show a missing fsync; this test assumes a STRICT POSIX file system
# instead: a file's bytes survive only as of its last fsync/fdatasync (or a
# syncfs), a directory entry operation (create, link, unlink, each half of
# a cross-directory rename) only once its directory is fsync'd after it (or
# a syncfs).  Nothing else survives.
#
# Design: record and replay, like CrashMonkey and ALICE (not a block-device
# or VM snapshot).  The real programs run a realistic scenario against faultd
# with tests/powercut/fstrace.so preloaded, which logs every step under the
# spool (creates, links, renames, unlinks, fsyncs with a copy of the file's
# bytes, syncfs) in the order it happened across processes.  Submissions
# (sendmail), pickups (relayqd -q, some racing with submitters, and the
# daemon woken by the trigger), deliveries, a deferral (4xx) and a bounce
# (5xx, so relayqd queues a notice) all happen.  The test appends
# "ACCEPTED QID" to the trace when a sendmail exits 0.  Then
# tests/powercut/replay.c computes the durable state at every cut point
# (after each step of the trace) and checks:
#   (a) every message accepted before the cut is present (maildrop/QID or
#       queue/QID.df, a whole drop file) or was retired (unlink of its .df
#       issued, after the server's 250 or once its notice was queued);
#   (b) at a sample of cuts — at least one between every two consecutive
#       steps of each kind of transition, each first loss, the worst
#       duplicates, then random ones while time allows — the state is made
#       real (hard links kept) and the real relayqd -q recovers it against a
#       second faultd: it finishes, quarantines nothing accepted, leaves
#       nothing queued, and every message present arrives;
#   (c) duplicates (present although retired) stay within I5's window, 32.
# PC_BUDGET (seconds, default 30) bounds the random part of (b); with no
# sanitizer that is about all the cuts on this 2-core machine.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

SHIM=$BUILD/fstrace.so REPLAY=$BUILD/pc-replay
if [ ! -f "$SHIM" ] || [ ! -x "$REPLAY" ]; then
	not_ok "power-cut test: $SHIM and $REPLAY are built (make \$B/fstrace.so \$B/pc-replay)"
	finish
fi
BUDGET=${PC_BUDGET:-30}
start=$(date +%s)

start_sink mta -- "rcpt defer 451 4.3.0 try again later" "rcpt reject 550 5.1.1 no such user"
RQ=$T/rq
rq_setup "$RQ" "$PORT_mta" "timeout_greeting 5s"
SPOOL=$(cd "$RQ/spool" && pwd -P)
TR=$T/trace
: > "$TR"; chmod 666 "$TR"		# relayqd writes it as the relayq user
mkdir -m 1777 "$TR.blobs"

# $TRACED CMD...: CMD with the shim (not the shell itself), as one process
# (env execs it: $! is the program's pid).  A sanitized program must not
# insist on its runtime coming first.  ($T's path has no blank.)
TRACED="env FSTRACE_ROOT=$SPOOL FSTRACE_LOG=$TR LD_PRELOAD=$SHIM \
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
# submit N RCPT [nobody]: message N from fromN@example.org, by root (who
# fsyncs maildrop/) or by nobody in the submitter's group (who cannot open
# maildrop/ for reading and syncs the file system, I1); once sendmail exits
# 0, "ACCEPTED QID" (the queue id -v shows) goes into the trace.
submit() {
	_as=""; [ "${3:-}" = nobody ] && _as="setpriv --reuid=nobody --regid=relayq-drop --clear-groups"
	printf 'Subject: power cut %s\nX-Test-Id: <%s>\n\nbody %s\n' "$1" "$1" "$1" |
		$TRACED $_as "$BUILD/sendmail" -v -C "$RQ/relayq.conf" -f "from$1@example.org" \
		    -i "$2" 2> "$T/err.$1" || return 1
	_q=$(sed -n 's/^sendmail: \([0-9A-Za-z]\{14\}\): from=.*/\1/p' "$T/err.$1")
	[ -n "$_q" ] && echo "- - ACCEPTED $_q" >> "$TR"
}
: > "$T/submitted"
# submit_bg N RCPT: submit in the background; wait_bg waits for those
# (not for the servers, which are background jobs too).
bg="" nsub=0
submit_bg() { nsub=$((nsub + 1)); { submit "$@" && echo "$1" >> "$T/submitted"; } & bg="$bg $!"; }
wait_bg() { for _p in $bg; do wait "$_p"; done; bg=""; }

# 1. Submissions, a deferral and a bounce; a queue run.
for i in 1 2 3 4; do submit_bg "a$i" "a$i@example.org"; done; wait_bg
submit_bg d1 defer1@example.org; submit_bg b1 reject1@example.org; wait_bg
$TRACED "$BUILD/relayqd" -C "$RQ/relayq.conf" -q
# 2. Queue runs racing with submitters (the issue's case: a submitter's
#    fsync of maildrop/ lands inside a pickup pass).  The queue run sleeps
#    20 ms after each of its steps, and submissions keep arriving.
for round in 1 2 3; do
	for i in 1 2; do
		submit_bg "p$round-$i" "p$round-$i@example.org"
		submit_bg "q$round-$i" "q$round-$i@example.org" nobody
	done
	wait_bg
	FSTRACE_SLOW=20000 $TRACED "$BUILD/relayqd" -C "$RQ/relayq.conf" -q & qpid=$!
	for i in 1 2 3 4; do
		submit_bg "r$round-$i" "r$round-$i@example.org"; sleep 0.03
		submit_bg "n$round-$i" "n$round-$i@example.org" nobody; sleep 0.03
	done
	submit_bg "d$round-x" "defer$round-x@example.org"
	wait_bg; wait "$qpid"
done
submit_bg b2 reject2@example.org; wait_bg
$TRACED "$BUILD/relayqd" -C "$RQ/relayq.conf" -q
# 3. The daemon, woken through the trigger by each submission.
$TRACED "$BUILD/relayqd" -C "$RQ/relayq.conf" -q1h -f & dpid=$!
at_exit "kill $dpid"
sleep 0.5
for i in 1 2 3; do
	submit_bg "w$i" "w$i@example.org"; submit_bg "wn$i" "wn$i@example.org" nobody
done
wait_bg
n=0
while [ "$(cat "$T"/mta/msg.* 2>/dev/null | grep -c '^RCPT TO:<w')" -lt 6 ]; do
	n=$((n + 1)); [ "$n" -gt 100 ] && break; sleep 0.1
done
kill -TERM "$dpid"; wait "$dpid"
submitted=$(wc -l < "$T/submitted")
deferred=$(rq_queued "$RQ")
echo "# scenario: $submitted submissions ($(grep -c ' syncfs$' "$TR") synced the file system), $deferred deferred message(s) left, $(grep -c . "$TR") trace lines, $(( $(date +%s) - start )) s"
assert_eq "scenario: every submission exited 0" "$nsub" "$submitted"
assert_grep "scenario: a message was deferred" 'stat=Deferred (451' "$RQ/relayq.log"
assert_grep "scenario: a message bounced, its notice queued" 'DSN: failure notice to <fromb1@' "$RQ/relayq.log"

# (a) and (c) at every cut point.
"$REPLAY" scan "$TR" "$SPOOL" > "$T/scan.txt" 2>&1
sed -n 's/^/# /; /LOST/p; /SELFCHECK [^o]/p' "$T/scan.txt" | head -20
summary=$(grep '^SUMMARY ' "$T/scan.txt")
fig() { echo "$summary" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
cuts=$(fig cuts); lost=$(fig lost); maxdup=$(fig maxdup)
echo "# ${summary:-no summary: $(tail -n 3 "$T/scan.txt")}"
assert_grep "trace complete: the replayed namespace at the end is the spool's" '^SELFCHECK ok' "$T/scan.txt"
assert_eq "(a) no accepted message lost at any of ${cuts:-?} cut points ($(fig accepted) accepted, $(fig notices) of them notices; $(fig lostcuts) cuts lose one)" 0 "${lost:-?}"
check "(c) duplicates at a cut (present, yet retired) at most 32: max ${maxdup:-?} at cut $(fig maxdupcut)" \
	[ "${maxdup:-99}" -le 32 ]

# (b) the real recovery at the planned cuts.
start_sink replay
C=$T/cut
rq_setup "$C" "$PORT_replay" "timeout_greeting 5s"
cp -a "$C/spool" "$C/empty"		# relayqd -I's work, once
"$REPLAY" plan "$TR" "$SPOOL" "$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')" > "$T/plan.txt"
pairs=$(sed -n 's/^# pairs=//p' "$T/plan.txt")
: > "$T/verify.txt"
tried=0 failed=0 random=false bstart=$(date +%s)
while read -r k; do
	case "$k" in "# random") random=true; continue ;; "#"*) continue ;; esac
	$random && [ $(( $(date +%s) - bstart )) -ge "$BUDGET" ] && break
	tried=$((tried + 1))
	rm -rf "$C/spool" "$T/replay"/msg.*
	cp -a "$C/empty" "$C/spool"
	if ! "$REPLAY" state "$TR" "$SPOOL" "$k" "$C/spool" >> "$T/verify.txt" 2>&1; then
		failed=$((failed + 1)); echo "FAIL cut=$k: cannot materialize" >> "$T/verify.txt"; continue
	fi
	timeout 30 "$BUILD/relayqd" -C "$C/relayq.conf" -q; rc=$?
	[ "$rc" -eq 0 ] || echo "FAIL cut=$k: relayqd -q exited $rc" >> "$T/verify.txt"
	"$REPLAY" verify "$TR" "$SPOOL" "$k" "$C/spool" "$T/replay" >> "$T/verify.txt" 2>&1 &&
		[ "$rc" -eq 0 ] || failed=$((failed + 1))
done < "$T/plan.txt"
grep '^FAIL' "$T/verify.txt" | head -10 | sed 's/^/# /'
present=$(awk -F'present=' '/^VERIFY/ { split($2, a, " "); n += a[1] } END { print n + 0 }' "$T/verify.txt")
assert_eq "(b) relayqd -q recovered $tried of ${cuts:-?} cut points ($pairs kinds of step pair each cut at least once; $present present messages in all): finished, nothing accepted quarantined or left, every present message arrived" \
	0 "$failed"
echo "# power-cut test: $(( $(date +%s) - start )) s in all"
finish
