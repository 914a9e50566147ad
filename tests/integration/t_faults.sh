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
rq "$RQ" -bp > "$T/q"
assert_grep "550 for one: marked failed in mailq" "bad@example.org (failed)" "$T/q"
assert_grep "550 for one: log" "to=<bad@example.org>.*dsn=5.1.1, stat=Failed (550 5.1.1 no such user)" "$(rq_log "$RQ")"

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

fault_case "554 data end" "dataend 554 5.7.1 rejected by policy"
submit e554 a@example.org; rq "$RQ" -q
rq "$RQ" -bp > "$T/q"
assert_grep "554 after DATA: failed, kept visible" "a@example.org (failed)" "$T/q"

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

fault_case "multiline and HELO" "multiline" "ehlo 502 5.5.2 no EHLO here"
printf 'Subject: m\n\n.leading dot\r\nline2\n' | rq "$RQ" -i a@example.org; rq "$RQ" -q
assert_eq "HELO fallback + multi-line replies: delivered" 1 "$(stored)"
assert_grep "HELO used" "C: HELO client.relayq.test" "$F/transcript.log"
body=$(sed '1,/^$/d' "$F/msg.1" | sed '1,/^\r$/d')
assert_eq "dot-stuffing undone exactly, CRLF on the wire" ".leading dot$(printf '\r')
line2$(printf '\r')" "$body"

fault_case "50 mixed" "on-message 5 dataend 451 4.3.0 later" "on-message 17 dataend 451 4.3.0 later" \
	"rcpt r30@ 550 5.1.1 unknown"
for i in $(seq 1 50); do printf 'Subject: %s\n\nx\n' "$i" | rq "$RQ" -i "r$i@example.org"; done
rq "$RQ" -q
assert_eq "50 mixed: 47 stored" 47 "$(stored)"
assert_eq "50 mixed: 3 still in the queue (2 deferred, 1 failed)" 3 "$(rq_queued "$RQ")"
assert_eq "50 mixed: one connection for the whole run" 1 "$(grep -c -- '--- connection' "$F/transcript.log")"
assert_eq "50 mixed: RSET between messages" 49 "$(grep -c '^C: RSET' "$F/transcript.log")"
finish
