# t_queue_admin: relayq-queue against a real spool and our fault server —
# show (text, --json), list --json, hold / release, retry (the daemon is
# woken), requeue, delete silently or with a DSN, the exit values of each,
# root-only changes, and mailq --older-than for monitoring checks.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

PORT=$(free_port); RQ=$T/rq; F=$T/f; Q=$RQ/spool/queue
mkdir -p "$F"
rq_setup "$RQ" "$PORT"
RQQ="$BUILD/relayq-queue"
rqq() { "$RQQ" -C "$RQ/relayq.conf" "$@"; }
# submit SUBJECT RCPT: queue one message (not sent yet), print its id.
submit() {
	printf 'Subject: %s\n\nbody of %s\n' "$1" "$1" |
		rq "$RQ" -v -odq -i "$2" 2>&1 >/dev/null |
		sed -n 's/^sendmail: \([0-9A-Za-z]\{14\}\): from=.*/\1/p'
}
stored() { ls "$F" | grep -c '^msg\.'; }
# wait_stored N: until the fault server holds N messages (10 s max).
wait_stored() {
	_i=0
	while [ "$(stored)" -lt "$1" ]; do
		_i=$((_i + 1)); [ "$_i" -gt 100 ] && return 1; sleep 0.1
	done
}
# json FILE EXPR: a Python expression over the parsed document d.
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
# start_faultd: the smarthost, storing into $F; its pid in $srv.
start_faultd() {
	"$BUILD/faultd" -p "$PORT" -o "$F" & srv=$!
	at_exit "kill $srv"
	wait_port "$PORT"
}

# 1. Two messages while the smarthost is down: deferred, with the reason.
q1=$(submit one a@example.org)
q2=$(submit two b@example.org)
rq "$RQ" -q
assert_eq "two messages deferred" 2 "$(rq_queued "$RQ")"

rqq show "$q1" > "$T/show.txt"
assert_eq "show: exit 0" 0 $?
assert_grep "show: queue id" "^Queue ID: *$q1$" "$T/show.txt"
assert_grep "show: status" "^Status: *deferred$" "$T/show.txt"
assert_grep "show: sender" "^Sender: *<root@example.org>$" "$T/show.txt"
assert_grep "show: attempts" "^Attempts: *1$" "$T/show.txt"
assert_grep "show: next attempt is a time" "^Next attempt: *20[0-9][0-9]-[0-9][0-9]-[0-9][0-9] " "$T/show.txt"
assert_grep "show: last error" "^Last error: *connect to 127.0.0.1.*Connection refused" "$T/show.txt"
assert_grep "show: recipient and its state" "^  deferred *a@example.org$" "$T/show.txt"

rqq show --json "$q1" > "$T/show.json"
assert_eq "show --json: exit 0" 0 $?
assert_eq "show --json: parses, its id" "$q1" "$(json "$T/show.json" "d['queue_id']")"
assert_eq "show --json: status, attempts, held" "deferred 1 False" \
	"$(json "$T/show.json" "d['status'], d['attempts'], d['held']" | tr -d "(),'")"
assert_eq "show --json: next attempt in the future" True \
	"$(json "$T/show.json" "d['next_attempt'] > d['last_attempt']")"
assert_eq "show --json: per-recipient state and reply" "a@example.org deferred True" \
	"$(json "$T/show.json" "d['recipients'][0]['address'], d['recipients'][0]['state'], 'refused' in d['recipients'][0]['reply']" | tr -d "(),'")"
rqq show NOSUCHMESSAGE1 2> "$T/err"
assert_eq "show of an unknown id: exit 66" 66 $?
assert_grep "show of an unknown id: says so" "NOSUCHMESSAGE1: not in the queue" "$T/err"
rqq show not-an-id 2> /dev/null
assert_eq "show of a malformed id: exit 64" 64 $?

rqq list --json > "$T/list.json"
assert_eq "list --json: exit 0" 0 $?
assert_eq "list --json: both messages, queue order" "2 $q1 $q2" \
	"$(json "$T/list.json" "d['count'], *[m['queue_id'] for m in d['messages']]" | tr -d "(),'")"
rqq > "$T/list.txt"
assert_grep "list without --json: mailq's layout" "Total requests: 2" "$T/list.txt"

# 2. Requeue after a configuration change: back-off starts again.
rq "$RQ" -q
assert_grep "a second failed run: 2 attempts" "^A2$" "$Q/$q1.qf"
rqq requeue --all > "$T/out"
assert_eq "requeue --all: exit 0" 0 $?
assert_grep "requeue: says what it did" "^$q1: requeued, back-off reset$" "$T/out"
assert_eq "requeue: attempts and next try reset in both .qf files" "A0 X0 A0 X0" \
	"$(grep -h -E '^(A|X)' "$Q/$q1.qf" "$Q/$q2.qf" | tr '\n' ' ' | sed 's/ $//')"
assert_grep "requeue: recipients keep their state" "^rTa@example.org$" "$Q/$q1.qf"
assert_grep "requeue: logged with who" "$q1: requeued, back-off reset by the administrator (uid 0)" "$(rq_log "$RQ")"
assert_eq "the .qf is still the daemon's: relayq 640" "relayq relayq 640" "$(stat -c '%U %G %a' "$Q/$q1.qf")"
rqq requeue > /dev/null 2>&1
assert_eq "requeue without ids or --all: usage, exit 64" 64 $?

# 3. Hold: a forced queue run (sendmail -q) skips it; release sends it.
rqq hold "$q1" > "$T/out"
assert_eq "hold: exit 0" 0 $?
assert_grep "hold: says so" "^$q1: held$" "$T/out"
assert_grep "hold: H record in the .qf" "^H[0-9][0-9]*$" "$Q/$q1.qf"
rqq hold "$q1" > "$T/out"
assert_grep "hold twice: already on hold, exit 0" "^$q1: already on hold$" "$T/out"
rq "$RQ" -bp > "$T/mailq.held"
assert_grep "mailq: '!' after a held message's id" "^ *$q1! " "$T/mailq.held"
assert_grep "mailq: on hold since" "(on hold since " "$T/mailq.held"
rqq show --json "$q1" > "$T/held.json"
assert_eq "show --json: held, no next attempt" "held True None" \
	"$(json "$T/held.json" "d['status'], d['held'], d['next_attempt']" | tr -d "(),'")"
start_faultd
rq "$RQ" -q
assert_eq "forced run with the smarthost up: only the other one sent" 1 "$(stored)"
assert_grep "forced run: it was the unheld message" "^RCPT TO:<b@example.org>" "$F/msg.1"
assert_eq "held message still queued, attempts untouched" "1 A0" \
	"$(rq_queued "$RQ") $(grep '^A' "$Q/$q1.qf")"
rqq release "$q1" > "$T/out"
assert_eq "release: exit 0" 0 $?
assert_no_grep "release: H record gone" "^H" "$Q/$q1.qf"
rq "$RQ" -q
assert_eq "released message delivered by the next run" 2 "$(stored)"
assert_grep "released: to its recipient" "^RCPT TO:<a@example.org>" "$F/msg.2"
assert_eq "queue empty" 0 "$(rq_queued "$RQ")"
rqq release "$q1" 2> "$T/err"
assert_eq "release of a delivered message: exit 66" 66 $?

# 4. Retry now: a message not due yet goes at once, through the daemon's
# trigger, not at its next interval.  The smarthost is down for its first
# try, then a fresh fault server (its own directory) takes over.
kill "$srv"; wait "$srv" 2>/dev/null
q3=$(submit three c@example.org)
rq "$RQ" -q
assert_grep "retry: first try failed, next one a minute away" "^A1$" "$Q/$q3.qf"
F=$T/f2; mkdir -p "$F"
start_faultd
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q1h -f & dpid=$!
at_exit "kill $dpid"
sleep 1
assert_eq "the daemon's own run leaves a message that is not due" "1 0" \
	"$(rq_queued "$RQ") $(stored)"
rqq retry "$q3" > "$T/out"
assert_eq "retry: exit 0" 0 $?
assert_grep "retry: due now" "^$q3: due now$" "$T/out"
check "retry: the daemon sends it at once" wait_stored 1
assert_grep "retry: to its recipient" "^RCPT TO:<c@example.org>" "$F/msg.1"
kill -TERM $dpid; wait $dpid

# 5. Busy: a message being delivered cannot be changed; exit 75.
q4=$(submit four d@example.org)
rqq hold "$q4" > /dev/null	# picks it up from maildrop/ first
assert_eq "hold picks a new submission up" "$q4.df $q4.qf" "$(cd "$Q" && echo "$q4".*)"
flock "$Q/$q4.df" sleep 3 & fpid=$!
sleep 0.3
rqq release "$q4" 2> "$T/err"
assert_eq "busy message: exit 75" 75 $?
assert_grep "busy message: says why" "$q4: being delivered right now" "$T/err"
wait $fpid
rqq release "$q4" > /dev/null
assert_eq "released once the lock is gone" 0 $?

# 6. Delete silently, and delete returning the message to its sender.
before=$(stored)
rqq delete "$q4" > "$T/out"
assert_eq "delete: exit 0" 0 $?
assert_grep "delete: says so" "^$q4: deleted$" "$T/out"
check "delete: .df and .qf gone" test ! -e "$Q/$q4.df" -a ! -e "$Q/$q4.qf"
rq "$RQ" -q
assert_eq "delete: nothing sent, no notice" "$before" "$(stored)"
assert_grep "delete: logged" "$q4: deleted by the administrator" "$(rq_log "$RQ")"
rqq delete "$q4" 2> /dev/null
assert_eq "delete of a deleted message: exit 66" 66 $?

q5=$(submit five e@example.org)
rqq delete --dsn "$q5" > "$T/out"
assert_eq "delete --dsn: exit 0" 0 $?
assert_grep "delete --dsn: says so" "^$q5: returned to the sender$" "$T/out"
check "delete --dsn: the message is gone" test ! -e "$Q/$q5.df"
rq "$RQ" -q
assert_eq "delete --dsn: one notice sent, nothing else" $((before + 1)) "$(stored)"
dsn=$F/msg.$((before + 1))
assert_grep "delete --dsn: notice from <>" "^MAIL FROM:<>" "$dsn"
assert_grep "delete --dsn: to the sender" "^RCPT TO:<root@example.org>" "$dsn"
assert_grep "delete --dsn: a delivery status report" "report-type=delivery-status" "$dsn"
assert_grep "delete --dsn: for the recipient" "^Final-Recipient: rfc822; *e@example.org" "$dsn"
assert_grep "delete --dsn: the reason" "returned by the administrator" "$dsn"
assert_no_grep "delete --dsn: the message itself was not sent" "^RCPT TO:<e@example.org>" "$dsn"

# 7. Changes are root's; mailq --older-than for monitoring.
q6=$(submit six f@example.org)
USER_RUN="setpriv --reuid=nobody --regid=nogroup --clear-groups"
$USER_RUN "$RQQ" -C "$RQ/relayq.conf" hold "$q6" 2> "$T/err"
assert_eq "hold as a user, no relayqd running: exit 75" 75 $?
assert_grep "hold as a user: says that relayqd makes a user's changes" "relayqd is not reachable at .*only it changes a user's own messages" "$T/err"
assert_no_grep "hold as a user: nothing changed" "^H[0-9]" "$RQ/spool/queue/$q6.qf"
$USER_RUN "$RQQ" -C "$RQ/relayq.conf" delete "$q6" 2> /dev/null
assert_eq "delete as a user: exit 77" 77 $?
"$RQQ" -C "$RQ/relayq.conf" hold "$q6" > /dev/null	# picks it up too
rq "$RQ" -bp --older-than 1h > /dev/null 2> "$T/err"
assert_eq "mailq --older-than 1h, all fresh: exit 0" 0 $?
# Make it two hours old (the T record is its arrival time).
sed -i "s/^T[0-9]*$/T$(($(date +%s) - 7200))/" "$Q/$q6.qf"
rq "$RQ" -bp --older-than 1h > "$T/mailq.old" 2> "$T/err"
assert_eq "mailq --older-than 1h, one two hours old: exit 1" 1 $?
assert_grep "mailq --older-than: the listing as usual" "$q6!" "$T/mailq.old"
assert_grep "mailq --older-than: says how many" "1 of 1 queued message older than 3600s" "$T/err"
rq "$RQ" -bp --older-than=3h > /dev/null 2>&1
assert_eq "mailq --older-than=3h: exit 0" 0 $?
rq "$RQ" --older-than 1h -i x@example.org < /dev/null 2> /dev/null
assert_eq "--older-than when submitting: usage, exit 64" 64 $?
rqq list --json --older-than 1h > "$T/old.json" 2> "$T/err"
assert_eq "list --json --older-than: exit 1" 1 $?
assert_eq "list --json --older-than: counts it" "3600 1" \
	"$(json "$T/old.json" "d['older_than'], d['older']" | tr -d "(),'")"

# 8. A user sees their own messages, not root's, through relayq-showq
# (setgid relayq) in a build whose default configuration is this test's
# (-C drops the group for a user).  Not sanitized: LeakSanitizer cannot
# run in a set-group-ID process.
env -u MAKEFLAGS -u MAKELEVEL -u SANITIZE make -s -C "$TOP" SANITIZE= B="$T/build" \
	SYSCONF="$T/etc" "$T/build/sendmail" "$T/build/relayq-showq" "$T/build/relayq-queue" \
	>/dev/null 2>&1 || { not_ok "build a copy with SYSCONF=$T/etc"; finish; }
mkdir -p "$T/etc" "$T/bin"
cp "$RQ/relayq.conf" "$T/etc/relayq.conf"
install -m 2755 -g relayq-drop "$T/build/sendmail" "$T/bin/sendmail"
install -m 2755 -g relayq "$T/build/relayq-showq" "$T/bin/relayq-showq"
install -m 0755 "$T/build/relayq-queue" "$T/bin/relayq-queue"
chmod 755 "$RQ"
uq=$(printf 'Subject: mine\n\nx\n' | $USER_RUN "$T/bin/sendmail" -v -odq -i g@example.org 2>&1 >/dev/null |
	sed -n 's/^sendmail: \([0-9A-Za-z]\{14\}\): from=.*/\1/p')
rqq retry "$uq" > /dev/null	# root picks it up into queue/
$USER_RUN "$T/bin/relayq-queue" show "$uq" > "$T/user.show" 2>&1
assert_eq "a user shows their own message: exit 0" 0 $?
assert_grep "a user's message: owner is the user" "^Owner: *uid $(id -u nobody) (nobody)$" "$T/user.show"
$USER_RUN "$T/bin/relayq-queue" show "$q6" 2> "$T/err"
assert_eq "a user cannot show root's message: exit 66, as if not there" 66 $?
$USER_RUN "$T/bin/relayq-queue" list --json > "$T/user.json"
assert_eq "a user's list --json: only their message" "1 $uq" \
	"$(json "$T/user.json" "d['count'], *[m['queue_id'] for m in d['messages']]" | tr -d "(),'")"
$USER_RUN "$T/bin/relayq-queue" hold "$uq" 2> /dev/null
assert_eq "a user's own hold needs a running relayqd (t_sandbox has one): exit 75" 75 $?
finish
