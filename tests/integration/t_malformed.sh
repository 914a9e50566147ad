# t_malformed: hostile SMTP replies (faultd's "malformed" rules) at each
# step of a session: a code changing mid-reply, 101 lines, a 5,000-byte
# line, and data after the reply.  Each defers the message cleanly: still
# queued, not bounced, the reason in mailq and the log, relayqd exits 0;
# and once the server behaves the message is delivered exactly once.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

n=0
# mal_case RULES...: a fresh faultd (rules as lines) and relayq.
mal_case() {
	n=$((n + 1)); F=$T/f$n; RQ=$T/rq$n; mkdir -p "$F"
	: > "$F/script"
	for r in "$@"; do echo "$r" >> "$F/script"; done
	PORT=$(free_port)
	"$BUILD/faultd" -p "$PORT" -o "$F" -s "$F/script" & at_exit "kill $!"
	wait_port "$PORT"
	rq_setup "$RQ" "$PORT" "timeout_greeting 5s" "timeout_helo 5s" "timeout_mail 5s" \
		"timeout_rcpt 5s" "timeout_data_init 5s" "timeout_data_done 5s" "timeout_quit 5s"
}
stored() { ls "$F" | grep -c '^msg\.'; }
# conn N: faultd's transcript of its N-th connection.
conn() { awk -v n="$1" '/^--- connection /{c=$3} c==n' "$F/transcript.log"; }
run_queue() { rq "$RQ" -q; _rc=$?; assert_eq "$_c: $1 exits 0" 0 "$_rc"; }

# deferred EVENT KIND WHY [RULES...]: only the first connection's reply to
# EVENT is malformed as KIND.  The first run defers with WHY (a grep
# pattern) in the log and mailq; the next run delivers the message once.
deferred() {
	_ev=$1; _kind=$2; _why=$3; shift 3
	_c="$_ev $_kind${1:+ ($1)}"
	mal_case "on-connection 1 malformed $_ev $_kind" "$@"
	printf 'Subject: %s\n\nbody\n' "$_c" | rq "$RQ" -i a@example.org
	run_queue "the malformed run"
	assert_eq "$_c: still queued" 1 "$(rq_queued "$RQ")"
	assert_eq "$_c: nothing stored" 0 "$(stored)"
	assert_grep "$_c: the log names it" \
		"to=<a@example.org>.*dsn=4\.[0-9.]*, stat=Deferred (.*$_why" "$(rq_log "$RQ")"
	assert_no_grep "$_c: not bounced" "DSN:" "$(rq_log "$RQ")"
	rq "$RQ" -bp > "$F/mailq"
	assert_grep "$_c: mailq shows the reason" "Deferred: .*$_why" "$F/mailq"
	conn 1 > "$F/conn1"
	assert_no_grep "$_c: no command after the malformed reply" "^C: QUIT" "$F/conn1"
	run_queue "the clean run"
	assert_eq "$_c: delivered once" 1 "$(stored)"
	assert_eq "$_c: queue empty" 0 "$(rq_queued "$RQ")"
}

for ev in greeting ehlo mail rcpt data dataend; do
	deferred "$ev" code-change "reply code changed within reply"
	deferred "$ev" many-lines "reply has more than 100 lines"
	deferred "$ev" long-line "line too long"
done

# Data after a reply when no other reply is due: the client cannot match
# anything the server says next to its command.
deferred greeting trailing-data "data after the reply to connect"
deferred ehlo trailing-data "data after the reply to EHLO"
deferred data trailing-data "data after the reply to DATA"
deferred mail trailing-data "data after the reply to MAIL FROM" no-pipelining
deferred rcpt trailing-data "data after the reply to RCPT TO" no-pipelining
# Pipelined, the extra line is taken as the next command's reply and
# everything shifts by one: DATA is answered 250 (the reply to RCPT, or
# the extra line itself), which DATA never gets.
deferred mail trailing-data "DATA answered out of step: 250 2.1.5 Ok"
deferred rcpt trailing-data "DATA answered out of step: 250 2.0.0 not a reply"

# Data after the reply to the final dot: that reply is a good 250, so the
# server has taken the message and deferring would send it twice.  It
# counts as delivered; only the session is dropped (no RSET, no QUIT).
_c="dataend trailing-data"
mal_case "malformed dataend trailing-data"
printf 'Subject: %s\n\nbody\n' "$_c" | rq "$RQ" -i a@example.org
run_queue "the run"
assert_eq "$_c: delivered once" 1 "$(stored)"
assert_eq "$_c: queue empty" 0 "$(rq_queued "$RQ")"
assert_grep "$_c: the log says Sent" "to=<a@example.org>.*stat=Sent (250 2.0.0 Ok: queued)" \
	"$(rq_log "$RQ")"
assert_grep "$_c: the log names the extra data" \
	"data after the reply to end of DATA; session closed" "$(rq_log "$RQ")"
conn 1 > "$F/conn1"
assert_no_grep "$_c: session dropped" "^C: RSET\|^C: QUIT" "$F/conn1"
finish
