# t_queue: the queue under trouble — smarthost down, mixed per-recipient
# replies over 50 recipients, two concurrent queue runs, and the daemon.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

PORT=$(free_port); RQ=$T/rq; PF=$T/pf
rq_setup "$RQ" "$PORT"

# 1. Smarthost down: the message waits with the reason, then goes out.
printf 'Subject: while down\n\nqueued\n' | rq "$RQ" -i down@example.org
rq "$RQ" -q
assert_eq "message stays queued while the smarthost is down" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$T/mailq.down"
assert_grep "mailq shows the deferral reason" "(Deferred: connect to .*Connection refused" "$T/mailq.down"
assert_grep "log: stat=Deferred" "to=<down@example.org>.*stat=Deferred" "$(rq_log "$RQ")"
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
rq "$RQ" -q
postfix_wait_mail "$PF" 1 10
assert_eq "delivered by sendmail -q once the smarthost is up" 1 "$(postfix_count "$PF")"
assert_eq "queue empty" 0 "$(rq_queued "$RQ")"

# 2. 50 recipients: r10-r19 rejected (550), r20-r24 deferred (451).
postfix_rcpt_rule "$PF" '^r1[0-9]@' '550 5.1.1 no such user'
postfix_rcpt_rule "$PF" '^r2[0-4]@' '451 4.3.0 try later'
rcpts=""; for i in $(seq 1 50); do rcpts="$rcpts r$i@example.net"; done
# shellcheck disable=SC2086
printf 'Subject: fifty\n\nto many\n' | rq "$RQ" -i $rcpts
rq "$RQ" -q
postfix_wait_mail "$PF" 37 20
assert_eq "35 accepted recipients delivered, plus one bounce" 37 "$(postfix_count "$PF")"
bounce=$(grep -l '^Content-Type: multipart/report' "$PF"/mail/*.eml | head -n 1)
assert_eq "the bounce lists the 10 rejected recipients" 10 "$(grep -c '^Final-Recipient: rfc822; *r1[0-9]@example.net' "$bounce")"
assert_eq "the bounce goes to the sender" "root@example.org" "$(postfix_env "$bounce" recipient)"
assert_eq "message kept for deferred recipients" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$T/mailq.mixed"
assert_grep "deferred recipient listed" "r22@example.net$" "$T/mailq.mixed"
assert_no_grep "rejected recipient returned, no longer listed" "r15@example.net" "$T/mailq.mixed"
assert_no_grep "delivered recipient not listed" "r30@example.net" "$T/mailq.mixed"
assert_grep "log: 550 recorded per recipient" "to=<r15@example.net>.*dsn=5.1.1, stat=Failed (550 5.1.1" "$(rq_log "$RQ")"
assert_grep "log: 451 recorded per recipient" "to=<r22@example.net>.*dsn=4.3.0, stat=Deferred (451 4.3.0" "$(rq_log "$RQ")"
: > "$PF/rcpt_access"
rq "$RQ" -q
postfix_wait_mail "$PF" 42 20
assert_eq "deferred recipients delivered on the next run, no duplicates" 42 "$(postfix_count "$PF")"
assert_eq "message retired: delivered or returned" 0 "$(rq_queued "$RQ")"

# 3. Two queue runs at once never deliver a message twice.
before=$(postfix_count "$PF")
for i in $(seq 1 20); do printf 'Subject: c%s\n\nx\n' "$i" | rq "$RQ" -i "c$i@example.org"; done
rq "$RQ" -q & p1=$!
rq "$RQ" -q & p2=$!
wait $p1; wait $p2
postfix_wait_mail "$PF" $((before + 20)) 20
sleep 1
assert_eq "20 messages, each delivered once" $((before + 20)) "$(postfix_count "$PF")"
dups=$(for f in $(postfix_mails "$PF"); do postfix_env "$f" recipient; done | grep '^c' | sort | uniq -d | wc -l)
assert_eq "no recipient got a duplicate" 0 "$dups"
assert_eq "two runs at once: queue empty" 0 "$(rq_queued "$RQ")"
assert_no_grep "two pickups at once: nothing quarantined or failed" "quarantine\|pickup failed" "$(rq_log "$RQ")"

# 4. With a daemon running, mail leaves right after submission.
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q1h -f & dpid=$!
at_exit "kill $dpid"
sleep 0.5
before=$(postfix_count "$PF")
printf 'Subject: now\n\nimmediate\n' | rq "$RQ" -i now@example.org
check "daemon delivers a new submission at once" postfix_wait_mail "$PF" $((before + 1)) 10
kill -TERM $dpid; wait $dpid
assert_eq "daemon exits 0 on SIGTERM" 0 $?
finish
