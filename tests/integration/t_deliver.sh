# t_deliver: submission -> queue -> a real Postfix smarthost, byte-exact.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

PF=$T/pf; PORT=$(free_port); RQ=$T/rq
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
rq_setup "$RQ" "$PORT"

# 1. The issue's first example, end to end.
printf 'Subject: hi\n\nhello\n' | rq "$RQ" -t -i alice@example.org
assert_eq "sendmail -t -i exits 0" 0 $?
rq "$RQ" -bp > "$T/mailq.1"
assert_grep "mailq shows the queued message" "alice@example.org" "$T/mailq.1"
assert_grep "mailq counts one request" "Total requests: 1" "$T/mailq.1"
rq "$RQ" -q
assert_eq "sendmail -q exits 0" 0 $?
postfix_wait_mail "$PF" 1 10
f=$(postfix_mails "$PF" | head -n 1)
assert_eq "recipient on the envelope" "alice@example.org" "$(postfix_env "$f" recipient)"
assert_eq "sender qualified with domain" "root@example.org" "$(postfix_env "$f" sender)"
assert_eq "body byte-exact" "hello" "$(postfix_body "$f")"
postfix_message "$f" > "$T/got.1"
assert_grep "Date: added" "^Date: [A-Z][a-z][a-z], [0-9]* [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]* [+-][0-9]\{4\}$" "$T/got.1"
assert_grep "Message-ID: added" "^Message-ID: <[0-9]\{14\}\.[0-9A-Za-z]\{14\}@client.relayq.test>$" "$T/got.1"
assert_grep "From: added" "^From: .*root@example.org" "$T/got.1"
assert_grep "Subject kept" "^Subject: hi$" "$T/got.1"
assert_eq "queue empty after delivery" 0 "$(rq_queued "$RQ")"
assert_grep "log: from= line" ": from=<root@example.org>, size=[0-9]*, class=0, nrcpts=1, msgid=<" "$(rq_log "$RQ")"
assert_grep "log: to= line, Sent" ": to=<alice@example.org>, delay=[0-9:]*, xdelay=[0-9:]*, mailer=relay, relay=.*127.0.0.1.*, dsn=2.0.0, stat=Sent (250" "$(rq_log "$RQ")"

# 2. Dots: without -i a lone '.' ends input and '..' loses one dot; with -i
#    every line is data.  The smarthost must get exactly the intended lines.
printf 'Subject: dots\n\n.leading\n..two\n.\nnot sent\n' | rq "$RQ" bob@example.org
printf 'Subject: dots-i\n\n.\n..\n.x\n' | rq "$RQ" -i carol@example.org
rq "$RQ" -q
postfix_wait_mail "$PF" 3 10
for f in $(postfix_mails "$PF"); do
	case $(postfix_env "$f" recipient) in
	bob@example.org) postfix_body "$f" > "$T/dots" ;;
	carol@example.org) postfix_body "$f" > "$T/dots-i" ;;
	esac
done
printf '.leading\n.two\n' > "$T/want"
check "without -i: '.' ends input, '..' unstuffed" cmp -s "$T/want" "$T/dots"
printf '.\n..\n.x\n' > "$T/want"
check "with -i: dot lines delivered verbatim" cmp -s "$T/want" "$T/dots-i"

# 3. 8-bit body, CRLF input, and BODY=8BITMIME on the wire.
printf 'Subject: 8bit\r\n\r\ncaf\303\251 \342\202\254\r\nline2\r\n' | rq "$RQ" -i dave@example.org
rq "$RQ" -q -v 2> "$T/v.8bit"
postfix_wait_mail "$PF" 4 10
f=$(postfix_mails "$PF" | tail -n 1)
printf 'caf\303\251 \342\202\254\nline2\n' > "$T/want"
postfix_body "$f" > "$T/got"
check "8-bit CRLF body arrives byte-exact" cmp -s "$T/want" "$T/got"
assert_grep "BODY=8BITMIME sent" "MAIL FROM:<root@example.org>.*BODY=8BITMIME" "$T/v.8bit"

# 4. A 10 MB message streams through unchanged.
{ printf 'Subject: big\n\n'; head -c 7500000 /dev/urandom | base64 -w 76; } > "$T/big"
rq "$RQ" -i erin@example.org < "$T/big"
rq "$RQ" -q
postfix_wait_mail "$PF" 5 30
f=$(postfix_mails "$PF" | tail -n 1)
assert_eq "10 MB body identical" "$(sed '1,/^$/d' "$T/big" | md5sum)" "$(postfix_body "$f" | md5sum)"
finish
