# t_postfix_selftest.sh: the test smarthost itself (tests/integration/postfix.sh)
# works: a private Postfix starts on a loopback port, stores exactly what it
# was sent with the envelope beside it, applies access rules, and (optional
# modes) speaks STARTTLS, smtps and Cyrus SASL AUTH.  Needs no relayq program.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"

command -v postfix >/dev/null 2>&1 || { not_ok "postfix installed (run tests/deps.sh)"; finish; }

PF=$T/pf
PORT=$(free_port)
at_exit "postfix_stop $PF"
t0=$(date +%s%N)
check "private postfix starts on 127.0.0.1:$PORT" postfix_start "$PF" "$PORT"
t1=$(date +%s%N)
echo "# startup took $(( (t1 - t0) / 1000000 )) ms"
check "startup under 5 s" [ $(( (t1 - t0) / 1000000 )) -lt 5000 ]
assert_eq "only the smtpd listens (no other TCP port of this instance)" 1 \
	"$(ss -ltnp 2>/dev/null | grep -c "pid=$(head -n 1 "$PF/queue/pid/master.pid" | tr -dc 0-9),")"

# A message with a leading-dot line, trailing spaces, 8-bit text, a long line.
M=$T/m1.eml
{
	printf 'From: Alice <alice@example.org>\n'
	printf 'To: bob@example.net, carol@example.com\n'
	printf 'Subject: selftest\n'
	printf 'Message-ID: <selftest.1@example.org>\n'
	printf '\n'
	printf '.leading dot\n'
	printf '..two dots\n'
	printf 'trailing spaces   \n'
	printf 'caf\303\251\n'
	printf '%0998d\n' 0
	printf '.\n'
	printf 'last line\n'
} >"$M"
check "SMTP transaction with two recipients accepted" \
	sh -c ". '$TOP/tests/integration/postfix.sh'; postfix_send $PORT alice@example.org 'bob@example.net carol@example.com' '$M' >'$T/send1.log'"
check "two deliveries stored (one per recipient)" postfix_wait_mail "$PF" 2 10
F1=$(postfix_mails "$PF" | sed -n 1p)
F2=$(postfix_mails "$PF" | sed -n 2p)
postfix_message "$F1" >"$T/got1"
check "stored message is byte-identical to what was sent" cmp -s "$M" "$T/got1"
assert_grep "first header is Postfix's Received" '^Received: from client.relayq.test' "$F1"
assert_eq "envelope sender" alice@example.org "$(postfix_env "$F1" sender)"
assert_eq "envelope recipients" "bob@example.net carol@example.com" \
	"$(printf '%s\n' "$(postfix_env "$F1" recipient)" "$(postfix_env "$F2" recipient)" | sort | tr '\n' ' ' | sed 's/ $//')"
assert_eq "helo recorded" client.relayq.test "$(postfix_env "$F1" helo)"
assert_eq "body helper" "$(sed '1,/^$/d' "$M")" "$(postfix_body "$F1")"
assert_grep "server log has the delivery" 'status=sent (delivered via store service)' "$(postfix_log "$PF")"

# CRLF input, null sender.
printf 'Subject: crlf\r\n\r\nline one\r\n' >"$T/m2.eml"
printf 'Subject: crlf\n\nline one\n' >"$T/m2.lf"
check "null sender accepted" \
	sh -c ". '$TOP/tests/integration/postfix.sh'; postfix_send $PORT '' 'dave@example.net' '$T/m2.eml' >'$T/send2.log'"
check "third delivery stored" postfix_wait_mail "$PF" 3 10
F3=$(postfix_mails "$PF" | sed -n 3p)
postfix_message "$F3" >"$T/got3"
check "CRLF message stored with LF line ends" cmp -s "$T/m2.lf" "$T/got3"
assert_eq "null sender is empty" "" "$(postfix_env "$F3" sender)"

# Access rules: a permanent and a temporary failure for chosen recipients.
postfix_rcpt_rule "$PF" '^nosuch@' '550 5.1.1 no such user'
postfix_rcpt_rule "$PF" '^later@' '451 4.3.0 try again later'
( . "$TOP/tests/integration/postfix.sh"; postfix_send "$PORT" a@example.org nosuch@example.net "$M" ) >"$T/send3.log"
assert_grep "rcpt rule gives 550" '^S: 550 5.1.1 <nosuch@example.net>' "$T/send3.log"
( . "$TOP/tests/integration/postfix.sh"; postfix_send "$PORT" a@example.org later@example.net "$M" ) >"$T/send4.log"
assert_grep "rcpt rule gives 451" '^S: 451 4.3.0 <later@example.net>' "$T/send4.log"

# A second instance at the same time.
PF2=$T/pf2
PORT2=$(free_port)
at_exit "postfix_stop $PF2"
check "second instance starts concurrently" postfix_start "$PF2" "$PORT2"
check "second instance receives" \
	sh -c ". '$TOP/tests/integration/postfix.sh'; postfix_send $PORT2 x@example.org y@example.org '$M' >/dev/null"
check "second instance stored it" postfix_wait_mail "$PF2" 1 10
assert_eq "first instance unaffected" 3 "$(postfix_count "$PF")"
postfix_stop "$PF2"

t0=$(date +%s%N)
postfix_stop "$PF"
t1=$(date +%s%N)
echo "# stop took $(( (t1 - t0) / 1000000 )) ms"
check "stopped: port $PORT closed" sh -c "! ss -ltn | grep -q '127.0.0.1:$PORT '"

# Optional modes: STARTTLS + smtps + SASL (required for relaying).
PF3=$T/pf3
PORT3=$(free_port)
at_exit "postfix_stop $PF3"
check "tls,sasl instance starts" postfix_start "$PF3" "$PORT3" tls,sasl
PF_CA_FILE=$(postfix_ca "$PF3"); export PF_CA_FILE
( . "$TOP/tests/integration/postfix.sh"; postfix_send "$PORT3" a@example.org b@example.org "$M" ) >"$T/send5.log"
assert_grep "relaying without AUTH is refused" '^S: 554 5.7.1 .*Relay access denied' "$T/send5.log"
check "STARTTLS (verified) + AUTH PLAIN accepted" \
	sh -c ". '$TOP/tests/integration/postfix.sh'; PF_AUTH='$PF_SASL_USER $PF_SASL_PASS' postfix_send $PORT3 a@example.org b@example.org '$M' starttls >'$T/send6.log'"
check "smtps (verified) + AUTH PLAIN accepted" \
	sh -c ". '$TOP/tests/integration/postfix.sh'; PF_AUTH='$PF_SASL_USER $PF_SASL_PASS' postfix_send $(postfix_smtps_port "$PF3") a@example.org c@example.org '$M' smtps >'$T/send7.log'"
( . "$TOP/tests/integration/postfix.sh"; PF_AUTH="$PF_SASL_USER wrong" postfix_send "$PORT3" a@example.org b@example.org "$M" starttls ) >"$T/send8.log"
assert_grep "wrong password refused" '^S: 535 5.7.8' "$T/send8.log"
check "both authenticated messages stored" postfix_wait_mail "$PF3" 2 10
G1=$(postfix_mails "$PF3" | sed -n 1p)
assert_eq "sasl_username recorded" "$PF_SASL_USER" "$(postfix_env "$G1" sasl_username)"
assert_grep "Received shows TLS" 'using TLSv1' "$G1"
assert_grep "Received shows ESMTPSA" 'with ESMTPSA' "$G1"
postfix_message "$G1" >"$T/got5"
check "TLS-relayed message byte-identical" cmp -s "$M" "$T/got5"
postfix_stop "$PF3"

finish
