# t_pipeline: a queue run pipelines across messages (RFC 2920 §3.1): one
# message's final dot and the next one's MAIL/RCPT/DATA go in one write,
# and every message still gets its own outcome.  faultd on loopback notes
# each dot the client had already sent more behind ("--- pipelined").
#   1. four messages, one connection, three pipelined dots, bytes exact;
#   2. a server without PIPELINING: lock-step, nothing behind any dot;
#   3. per-message outcomes: a 550 and a 451 at the dot, between two 250s;
#   4. the connection drops at a dot: that message is deferred, and the
#      next one, whose commands went behind the dot, is sent on a new
#      connection in the same run, not deferred with it.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

got() { ls "$T/$1" 2>/dev/null | grep -c '^msg\.'; }
piped() { grep -c '^--- pipelined' "$T/$1/transcript.log"; }
conns() { grep -c '^--- connection' "$T/$1/transcript.log"; }
queue4() {
	for i in 1 2 3 4; do
		printf 'Subject: m%s\n\n.leading dot %s\nbody of m%s\n' "$i" "$i" "$i" |
		    rq "$1" -odq -i "r$i@example.net"
	done
}
# arrived SINK N: the message to rN arrived once, its body byte-exact.
arrived() {
	_f=$(grep -l "^RCPT TO:<r$2@example.net>" "$T/$1"/msg.* 2>/dev/null)
	[ "$(echo "$_f" | grep -c .)" -eq 1 ] &&
	    printf '.leading dot %s\r\nbody of m%s\r\n' "$2" "$2" > "$T/want" &&
	    tail -c "$(wc -c < "$T/want")" "$_f" | cmp -s - "$T/want"
}

# --- 1. four messages over one connection, three dots pipelined -------------
start_sink p1 -- note-pipelining
rq_setup "$T/rq1" "$PORT_p1"
queue4 "$T/rq1"
"$BUILD/relayqd" -C "$T/rq1/relayq.conf" -q
assert_eq "all four arrived" 4 "$(got p1)"
for i in 1 2 3 4; do check "m$i arrived once, dot-stuffing undone byte-exact" arrived p1 "$i"; done
assert_eq "one connection" 1 "$(conns p1)"
assert_eq "the first three dots had the next message's commands behind them" 3 "$(piped p1)"
assert_eq "the queue is empty" 0 "$(rq_queued "$T/rq1")"

# --- 2. no PIPELINING offered: lock-step ------------------------------------
start_sink p2 -- no-pipelining note-pipelining
rq_setup "$T/rq2" "$PORT_p2"
queue4 "$T/rq2"
"$BUILD/relayqd" -C "$T/rq2/relayq.conf" -q
assert_eq "all four arrived" 4 "$(got p2)"
assert_eq "nothing was sent ahead of a reply" 0 "$(piped p2)"

# --- 3. each message its own outcome ----------------------------------------
start_sink p3 -- note-pipelining "on-message 2 dataend 550 5.7.1 refused by policy" \
    "on-message 3 dataend 451 4.3.0 try again later"
rq_setup "$T/rq3" "$PORT_p3"
queue4 "$T/rq3"
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q
L=$(rq_log "$T/rq3")
check "m1 delivered" arrived p3 1
check "m4 delivered" arrived p3 4
assert_grep "m2 failed with the server's reply" "to=<r2@example.net>, .*stat=Failed (550 5.7.1 refused by policy)" "$L"
assert_grep "m2's sender gets a failure notice" "DSN: failure notice to <root@example.org>" "$L"
assert_grep "m3 deferred with the server's reply" "to=<r3@example.net>, .*stat=Deferred (451 4.3.0 try again later)" "$L"
assert_eq "only m3 is still queued" 1 "$(grep -l '^rTr3@example.net' "$T"/rq3/spool/queue/*.qf | wc -l)"
assert_eq "... with that reply as its reason" 1 "$(grep -c '^E451 4.3.0 try again later' "$T"/rq3/spool/queue/*.qf)"

# --- 4. the connection drops at m2's dot ------------------------------------
start_sink p4 -- note-pipelining "on-connection 1 on-message 2 drop-after dataend"
rq_setup "$T/rq4" "$PORT_p4"
queue4 "$T/rq4"
"$BUILD/relayqd" -C "$T/rq4/relayq.conf" -q
L=$(rq_log "$T/rq4")
for i in 1 3 4; do check "m$i delivered in the same run" arrived p4 "$i"; done
assert_grep "m2 deferred: the connection was lost at its dot" "to=<r2@example.net>, .*stat=Deferred" "$L"
assert_eq "m3 was not deferred with it" 0 "$(grep -c 'to=<r3@example.net>, .*stat=Deferred' "$L")"
assert_eq "two connections" 2 "$(conns p4)"
rq "$T/rq4" -q
check "the next run delivers m2, once" arrived p4 2
assert_eq "the queue is empty" 0 "$(rq_queued "$T/rq4")"
finish
