# t_faults: relayq against our fault server — every failure leaves each
# message delivered, failed (visible) or queued with the server's reason.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

n=0
# fault_case NAME RULES...: a fresh faultd (rules as lines) and relayq.
fault_case() {
	n=$((n + 1)); F=$T/f$n; RQ=$T/rq$n; mkdir -p "$F"
	shift
	: > "$F/script"
	for r in "$@"; do echo "$r" >> "$F/script"; done
	PORT=$(free_port)
	"$BUILD/faultd" -p "$PORT" -o "$F" -s "$F/script" & at_exit "kill $!"
	wait_port "$PORT"
	rq_setup "$RQ" "$PORT" "timeout_greeting 3s" "timeout_mail 3s" "timeout_rcpt 3s" \
		"timeout_data_init 3s" "timeout_data_done 3s" "timeout_data_block 3s"
}
submit() { _s=$1; shift; printf 'Subject: %s\n\nbody\n' "$_s" | rq "$RQ" -i "$@" 2>/dev/null; }
stored() { ls "$F" | grep -c '^msg\.'; }

fault_case "421 greeting" "greeting 421 4.3.2 busy, come back later"
submit greet a@example.org; rq "$RQ" -q
assert_eq "421 greeting: stays queued" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$T/q"; assert_grep "421 greeting: reason in mailq" "Deferred: .*421 4.3.2 busy" "$T/q"
assert_grep "421 greeting: log" "to=<a@example.org>.*stat=Deferred" "$(rq_log "$RQ")"

fault_case "451 MAIL" "mail 451 4.3.0 try later"
submit mail a@example.org; rq "$RQ" -q
assert_eq "451 on MAIL: stays queued" 1 "$(rq_queued "$RQ")"
assert_grep "451 on MAIL: log has the reply" "dsn=4.3.0, stat=Deferred (451 4.3.0 try later)" "$(rq_log "$RQ")"

fault_case "550 one rcpt" "rcpt bad@ 550 5.1.1 no such user"
submit rcpt good1@example.org bad@example.org good2@example.org; rq "$RQ" -q
assert_eq "550 for one: two delivered in one message" 2 "$(grep -c '^RCPT TO' "$F/msg.1")"
assert_grep "550 for one: log" "to=<bad@example.org>.*dsn=5.1.1, stat=Failed (550 5.1.1 no such user)" "$(rq_log "$RQ")"
# The bounce (RFC 3464) went back through the same relay, MAIL FROM:<>.
assert_eq "550 for one: a bounce sent as well" 2 "$(stored)"
assert_grep "550 for one: bounce from <>" "^MAIL FROM:<>" "$F/msg.2"
assert_grep "550 for one: bounce to the sender" "^RCPT TO:<root@example.org>" "$F/msg.2"
assert_grep "550 for one: multipart/report" "Content-Type: multipart/report; report-type=delivery-status" "$F/msg.2"
assert_grep "550 for one: per-recipient status" "^Final-Recipient: rfc822; *bad@example.org" "$F/msg.2"
assert_grep "550 for one: enhanced code" "^Status: 5.1.1" "$F/msg.2"
assert_grep "550 for one: server reply" "^Diagnostic-Code: smtp; *550 5.1.1 no such user" "$F/msg.2"
assert_no_grep "550 for one: delivered ones not reported" "good1@example.org" "$F/msg.2"
assert_grep "550 for one: original headers returned" "^Subject: rcpt" "$F/msg.2"
assert_grep "550 for one: DSN logged" "DSN: failure notice to <root@example.org>" "$(rq_log "$RQ")"
assert_eq "550 for one: nothing left in the queue" 0 "$(rq_queued "$RQ")"
cp "$F/msg.2" "$T/example-bounce.txt"

fault_case "452 one rcpt" "on-connection 1 rcpt later@ 452 4.5.3 too many recipients"
submit r452 now@example.org later@example.org; rq "$RQ" -q
assert_eq "452 for one: the other delivered" 1 "$(stored)"
assert_eq "452 for one: message kept" 1 "$(rq_queued "$RQ")"
rq "$RQ" -q
assert_eq "452 for one: delivered on the next run" 2 "$(stored)"
assert_grep "452 retry went only to the deferred recipient" "RCPT TO:<later@example.org>" "$F/msg.2"
assert_eq "452 for one: queue empty" 0 "$(rq_queued "$RQ")"

fault_case "451 data end" "dataend 451 4.3.0 queue full"
submit e451 a@example.org b@example.org; rq "$RQ" -q
assert_eq "451 after DATA: nothing stored" 0 "$(stored)"
assert_grep "451 after DATA: both deferred" "to=<b@example.org>.*stat=Deferred (451 4.3.0 queue full)" "$(rq_log "$RQ")"

# A 3xx after the final dot is out of step: taken for success, the message
# would be retired although the server never stored it.
fault_case "354 data end" "on-connection 1 dataend 354 go ahead"
submit e354 a@example.org; rq "$RQ" -q
assert_eq "354 after the dot: nothing stored" 0 "$(stored)"
assert_eq "354 after the dot: the message stays queued" 1 "$(rq_queued "$RQ")"
assert_grep "354 after the dot: deferred" "to=<a@example.org>.*stat=Deferred (354 go ahead)" "$(rq_log "$RQ")"
rq "$RQ" -q
assert_eq "354 after the dot: delivered once on the next run" 1 "$(stored)"
assert_eq "354 after the dot: queue empty" 0 "$(rq_queued "$RQ")"

fault_case "554 data end" "dataend 554 5.7.1 rejected by policy"
submit e554 a@example.org; rq "$RQ" -q
# This relay refuses everything, the bounce and the postmaster's notice
# too: the last one stays in the queue, visible, never deleted.
rq "$RQ" -q
assert_eq "554 for all: bounce, then postmaster notice attempted" 3 \
	"$(grep -c 'stat=Failed (554 5.7.1 rejected by policy)' "$(rq_log "$RQ")")"
assert_grep "554 for all: notice to the postmaster" "DSN: failure notice to <postmaster@example.org>" "$(rq_log "$RQ")"
assert_eq "554 for all: the double bounce is kept" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$T/q"
assert_grep "554 for all: kept visibly in mailq" "nobody to return it to; kept for the postmaster" "$T/q"

fault_case "drop mid-data" "on-connection 1 drop-after mid-data"
submit drop a@example.org; rq "$RQ" -q
assert_eq "drop mid-DATA: queued" 1 "$(rq_queued "$RQ")"
assert_grep "drop mid-DATA: reason" "stat=Deferred (.*connection closed" "$(rq_log "$RQ")"
rq "$RQ" -q
assert_eq "drop mid-DATA: delivered once next run" 1 "$(stored)"

fault_case "stall" "stall-after data"
submit stall a@example.org; rq "$RQ" -q
assert_eq "stall after DATA: queued" 1 "$(rq_queued "$RQ")"
assert_grep "stall after DATA: timeout in reason" "stat=Deferred (.*timeout" "$(rq_log "$RQ")"

fault_case "close after EHLO" "drop-after ehlo"
submit cl a@example.org; rq "$RQ" -q
assert_eq "closed after EHLO: queued" 1 "$(rq_queued "$RQ")"

fault_case "SIZE" "size 1000"
{ printf 'Subject: big\n\n'; head -c 5000 /dev/zero | tr '\0' x | fold -w 70; } | rq "$RQ" -i a@example.org
rq "$RQ" -q
assert_no_grep "SIZE exceeded: no MAIL sent" "C: MAIL" "$F/transcript.log"
assert_grep "SIZE exceeded: failed with 5.3.4" "dsn=5.3.4, stat=Failed" "$(rq_log "$RQ")"
# Many refused before anything goes on the wire, in one run with few
# descriptors: each is settled and let go before the next, none waits.
returned=$(grep -c 'DSN: failure notice to <root@example.org>' "$(rq_log "$RQ")")
for i in $(seq 1 60); do
	{ printf 'Subject: big %s

' "$i"; head -c 2000 /dev/zero | tr '\0' x | fold -w 70; } |
		rq "$RQ" -i "a$i@example.org"
done
(ulimit -n 40 && rq "$RQ" -q)
assert_no_grep "60 over SIZE, 40 descriptors: none runs out" "Too many open files" "$(rq_log "$RQ")"
assert_eq "60 over SIZE, 40 descriptors: each failed with 5.3.4" 60 \
	"$(grep -c 'to=<a[0-9][0-9]*@example.org>.*dsn=5.3.4, stat=Failed' "$(rq_log "$RQ")")"
assert_eq "60 over SIZE, 40 descriptors: each returned" $((returned + 60)) \
	"$(grep -c 'DSN: failure notice to <root@example.org>' "$(rq_log "$RQ")")"

fault_case "multiline and HELO" "multiline" "ehlo 502 5.5.2 no EHLO here"
printf 'Subject: m\n\n.leading dot\r\nline2\n' | rq "$RQ" -i a@example.org; rq "$RQ" -q
assert_eq "HELO fallback + multi-line replies: delivered" 1 "$(stored)"
assert_grep "HELO used" "C: HELO client.relayq.test" "$F/transcript.log"
body=$(sed '1,/^$/d' "$F/msg.1" | sed '1,/^\r$/d')
assert_eq "dot-stuffing undone exactly, CRLF on the wire" ".leading dot$(printf '\r')
line2$(printf '\r')" "$body"

fault_case "expiry" "rcpt late@ 451 4.3.0 try later"
# 4 s, not 1: a loaded machine (CI, sanitizers) may need a second or two
# between the submission and the first run.
echo "queue_lifetime 4s" >> "$RQ/relayq.conf"
submit expire late@example.org; rq "$RQ" -q
assert_eq "451 within queue_lifetime: kept" 1 "$(rq_queued "$RQ")"
sleep 5; rq "$RQ" -q
assert_eq "past queue_lifetime: returned to the sender" 1 "$(stored)"
assert_grep "expiry DSN: Action failed" "^Action: failed" "$F/msg.1"
assert_grep "expiry DSN: 5.4.7 delivery time expired" "^Status: 5.4.7" "$F/msg.1"
assert_grep "expiry DSN: last reply as diagnostic" "^Diagnostic-Code: smtp; *451 4.3.0 try later" "$F/msg.1"
assert_eq "expiry: message retired" 0 "$(rq_queued "$RQ")"

fault_case "warning" "rcpt slow@ 451 4.3.0 try later"
echo "queue_warn 1s" >> "$RQ/relayq.conf"
submit warn slow@example.org; rq "$RQ" -q
sleep 2; rq "$RQ" -q
assert_eq "past queue_warn: one delay notice" 1 "$(stored)"
assert_grep "delay DSN: Action delayed" "^Action: delayed" "$F/msg.1"
assert_grep "delay DSN: 4.3.0 from the server" "^Status: 4.3.0" "$F/msg.1"
assert_eq "delay DSN: message still queued" 1 "$(rq_queued "$RQ")"
rq "$RQ" -q
assert_eq "delay DSN: sent once only" 1 "$(stored)"

fault_case "notify never" "rcpt gone@ 550 5.1.1 no such user"
printf 'Subject: nn

x
' | rq "$RQ" -i -N never gone@example.org; rq "$RQ" -q
assert_eq "NOTIFY=NEVER: no bounce" 0 "$(stored)"
assert_eq "NOTIFY=NEVER: message retired" 0 "$(rq_queued "$RQ")"

fault_case "ret full" "rcpt gone@ 550 5.1.1 no such user"
printf 'Subject: rf

the whole body
' | rq "$RQ" -i -R full gone@example.org; rq "$RQ" -q
assert_grep "RET=FULL: the original as message/rfc822" "^Content-Type: message/rfc822" "$F/msg.1"
assert_grep "RET=FULL: body included" "^the whole body" "$F/msg.1"

fault_case "admin" "rcpt held@ 451 4.3.0 try later"
submit admin1 held@example.org; submit admin2 held@example.org; rq "$RQ" -q
set -- $(ls "$RQ/spool/queue" | sed -n 's/\.df$//p')
"$BUILD/relayqd" -C "$RQ/relayq.conf" -b "$1"
assert_grep "relayqd -b: logged" "$1: returned to the sender by the administrator" "$(rq_log "$RQ")"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -d "$2"
assert_grep "relayqd -d: logged" "$2: deleted by the administrator" "$(rq_log "$RQ")"
rq "$RQ" -q
assert_eq "relayqd -b: the sender got a failure notice" 1 "$(grep -l '^Action: failed' "$F"/msg.* | wc -l)"
assert_grep "relayqd -b: the reason is given" "returned by the administrator" "$F/msg.1"
assert_eq "relayqd -b and -d: queue empty" 0 "$(rq_queued "$RQ")"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -d "$2" 2> "$T/err"; rc=$?
assert_eq "relayqd -d of a gone message: EX_NOINPUT" 66 "$rc"
assert_grep "relayqd -d of a gone message: says so" "not in the queue" "$T/err"

fault_case "50 mixed" "on-message 5 dataend 451 4.3.0 later" "on-message 17 dataend 451 4.3.0 later" \
	"rcpt r30@ 550 5.1.1 unknown"
for i in $(seq 1 50); do printf 'Subject: %s\n\nx\n' "$i" | rq "$RQ" -i "r$i@example.org"; done
rq "$RQ" -q
assert_eq "50 mixed: 47 stored, plus one bounce" 48 "$(stored)"
assert_eq "50 mixed: 2 deferred still in the queue" 2 "$(rq_queued "$RQ")"
assert_eq "50 mixed: one connection for the run, one for its bounce" 2 "$(grep -c -- '--- connection' "$F/transcript.log")"
assert_eq "50 mixed: RSET only after the transaction every RCPT refused (r30)" 1 "$(grep -c '^C: RSET' "$F/transcript.log")"
assert_grep "50 mixed: the bounce is for r30" "^Final-Recipient: rfc822; *r30@example.org" "$F/msg.48"
finish
