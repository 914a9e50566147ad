# t_throttle: what a relay allows.  relay_rate_limit paces a run (the
# third of three messages waits for the minute, and SIGTERM during the
# wait leaves it untouched); a 4.7.x "slow down" reply to every recipient
# backs the route off, so the run's other messages are not tried; with
# relay_sessions 1 a second queue runner does not open a second session
# while the first holds it.  faultd on loopback.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

got() { ls "$T/$1" 2>/dev/null | grep -c '^msg\.'; }
# attempts DIR: "COUNT A<attempts>" per queued message; one never tried
# has no .qf yet (spool.h, I3): A0.
attempts() {
	for _df in "$1"/spool/queue/*.df; do
		if [ -f "${_df%.df}.qf" ]; then grep -h '^A' "${_df%.df}.qf"; else echo A0; fi
	done | sort | uniq -c | tr -s ' ' | sed 's/^ //'
}
queue3() { for i in 1 2 3; do printf 'Subject: %s\n\nx\n' "$i" | rq "$1" -odq -i "r$i@example.net"; done; }

# --- 1. relay_rate_limit 2: two go out, the third waits for the minute -----
start_sink pace
rq_setup "$T/rq1" "$PORT_pace" "relay_rate_limit 2"
queue3 "$T/rq1"
"$BUILD/relayqd" -C "$T/rq1/relayq.conf" -q & RPID=$!
_i=0; while [ "$(got pace)" -lt 2 ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
sleep 2
assert_eq "two messages sent at once" 2 "$(got pace)"
check "the run is still waiting to send the third" kill -0 "$RPID"
kill -TERM "$RPID"; wait "$RPID"
assert_eq "SIGTERM during the wait: the third was not sent" 2 "$(got pace)"
assert_eq "... and is still queued, never attempted" "1 A0" "$(attempts "$T/rq1")"

# --- 2. "slow down": the route rests, the other messages are not tried ------
start_sink slow -- "on-message 1 rcpt * 451 4.7.0 Too many messages, slow down"
rq_setup "$T/rq2" "$PORT_slow"
queue3 "$T/rq2"
"$BUILD/relayqd" -C "$T/rq2/relayq.conf" -q
assert_grep "log: the relay asked to slow down" "relay 127.0.0.1 asked to slow down (451 4.7.0 Too many messages, slow down)" "$(rq_log "$T/rq2")"
assert_eq "nothing sent" 0 "$(got slow)"
assert_eq "one transaction only: the first message's" 1 "$(grep -c '^C: MAIL FROM' "$T/slow/transcript.log")"
assert_eq "one message deferred once, two untouched" "2 A0 1 A1" "$(echo $(attempts "$T/rq2"))"

# --- 3. relay_sessions 1: a second runner waits for the slot ----------------
start_sink stall -- "on-connection 1 stall-after ehlo"
rq_setup "$T/rq3" "$PORT_stall" "relay_sessions 1" "timeout_helo 4s" "timeout_mail 4s"
queue3 "$T/rq3"
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q & APID=$!
sleep 1
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q
assert_grep "second runner: no second session" "all 1 sessions to 127.0.0.1 allowed by relay_sessions are in use by other queue runs" "$(rq_log "$T/rq3")"
assert_eq "the server saw one connection while the first held the slot" 1 "$(grep -c '^--- connection' "$T/stall/transcript.log")"
wait "$APID"
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q
assert_eq "once the slot is free, the next run sends them" 3 "$(got stall)"
finish
