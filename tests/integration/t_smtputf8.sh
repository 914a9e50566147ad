# t_smtputf8: UTF-8 addresses (RFC 6531) end to end — submission (exit
# codes, the Y record, -U, -bs), delivery with SMTPUTF8 to a real Postfix
# that offers it, and the 5.6.7 failure and its DSN where the smarthost
# does not (a Postfix with smtputf8_enable = no, and faultd).
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/postfix.sh"

JOERG='jörg@example.org'		# UTF-8 local part
ASA='åsa@bücher.example'		# UTF-8 local part and domain
LATIN1=$(printf 'j\366rg@example.org')	# the same in Latin-1: not UTF-8

# ---- submission ----------------------------------------------------------
RQ=$T/rq0
rq_setup "$RQ" 1
drops() { ls "$RQ/spool/maildrop" | grep -c -E '^[0-9A-Za-z]{14}$'; }

printf 'Subject: latin1\n\nx\n' | rq "$RQ" -i "$LATIN1" 2> "$T/err"
assert_eq "a Latin-1 recipient: exit 65 (EX_DATAERR)" 65 "$?"
assert_grep "... saying which octet is wrong" \
	'recipient "j\\xF6rg@example.org" is not valid UTF-8 (octet 2)' "$T/err"
printf 'Subject: latin1\n\nx\n' | rq "$RQ" -i -f "$LATIN1" bob@example.net 2> "$T/err"
assert_eq "a Latin-1 sender: exit 65" 65 "$?"
printf 'To: %s\nSubject: latin1\n\nx\n' "$LATIN1" | rq "$RQ" -t 2> "$T/err"
assert_eq "a Latin-1 To: with -t: exit 65" 65 "$?"
printf 'From: %s\nSubject: latin1\n\nx\n' "$LATIN1" | rq "$RQ" -i bob@example.net 2> "$T/err"
assert_eq "a Latin-1 From: address: exit 65" 65 "$?"
assert_grep "... naming the field" 'header From: address "j\\xF6rg@example.org"' "$T/err"
assert_eq "nothing queued for a malformed address" 0 "$(drops)"

printf 'From: Ren\351 <root@example.org>\nSubject: caf\351\n\nx\n' |
	rq "$RQ" -i bob@example.net
assert_eq "a Latin-1 display name and Subject: accepted as ever" 0 "$?"
assert_no_grep "... and not marked SMTPUTF8" '^Y$' "$(ls -d "$RQ"/spool/maildrop/* | head -n 1)"
rm -f "$RQ"/spool/maildrop/*

printf 'To: %s\nSubject: utf8\n\nx\n' "$JOERG" | rq "$RQ" -t
assert_eq "a UTF-8 To: with -t: exit 0" 0 "$?"
f=$(ls -d "$RQ"/spool/maildrop/* | head -n 1)
assert_grep "... marked as needing SMTPUTF8 (Y record)" '^Y$' "$f"
assert_grep "... the recipient as written" "^r$JOERG\$" "$f"
rm -f "$RQ"/spool/maildrop/*
printf 'Subject: dash U\n\nx\n' | rq "$RQ" -U -i bob@example.net
assert_eq "sendmail -U is accepted" 0 "$?"
assert_grep "... and marks the message" '^Y$' "$(ls -d "$RQ"/spool/maildrop/* | head -n 1)"
rm -f "$RQ"/spool/maildrop/*

printf 'EHLO x\r\nMAIL FROM:<%s>\r\nMAIL FROM:<%s> SMTPUTF8\r\nRCPT TO:<%s>\r\nDATA\r\nSubject: bs\r\n\r\nx\r\n.\r\nQUIT\r\n' \
	"$ASA" "$ASA" "$JOERG" | rq "$RQ" -bs > "$T/bs" 2>&1
assert_grep "-bs offers SMTPUTF8" "^250-SMTPUTF8" "$T/bs"
assert_grep "-bs: a UTF-8 address without SMTPUTF8 is refused" "^553 5.6.7 " "$T/bs"
assert_grep "-bs: queued with SMTPUTF8" "^250 2.0.0 Ok: queued as" "$T/bs"
assert_grep "-bs: marked as needing SMTPUTF8" '^Y$' "$(ls -d "$RQ"/spool/maildrop/* | head -n 1)"

# ---- delivery through a Postfix that offers SMTPUTF8 ---------------------
PF=$T/pf; PORT=$(free_port)
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
RQ=$T/rq1
rq_setup "$RQ" "$PORT"
printf 'From: Åsa <%s>\nTo: Jörg <%s>\nSubject: grüße\n\nbody ü\n' "$ASA" "$JOERG" > "$T/in"
rq "$RQ" -i -f "$ASA" "$JOERG" bob@example.net < "$T/in"
assert_eq "UTF-8 sender and recipient: exit 0" 0 "$?"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q -v 2> "$RQ/v.txt"
postfix_wait_mail "$PF" 2 || not_ok "both recipients stored by Postfix"
# (-v shows octets over 127 as '?'; faultd's transcript below has them)
assert_grep "MAIL carries SMTPUTF8 and BODY=8BITMIME" \
	"MAIL FROM:<??sa@b??cher.example> SIZE=[0-9]* BODY=8BITMIME SMTPUTF8\$" "$RQ/v.txt"
for m in $(postfix_mails "$PF"); do
	case $(postfix_env "$m" recipient) in
	"$JOERG") mj=$m ;; bob@example.net) mb=$m ;;
	esac
done
assert_eq "Postfix has the UTF-8 envelope sender" "$ASA" "$(postfix_env "$mj" sender)"
assert_eq "Postfix has the UTF-8 recipient" "$JOERG" "$(postfix_env "$mj" recipient)"
assert_eq "the ASCII recipient of the same message got it too" "$ASA" "$(postfix_env "$mb" sender)"
assert_grep "Postfix took it as SMTPUTF8 (Received: with UTF8SMTP)" "with UTF8SMTP" "$mj"
postfix_message "$mj" | head -n 3 > "$T/got"
head -n 3 "$T/in" > "$T/want"
check "the UTF-8 header fields arrive byte for byte" cmp -s "$T/want" "$T/got"
assert_eq "the body arrives byte for byte" "body ü" "$(postfix_body "$mj")"
assert_eq "nothing left in the queue" 0 "$(rq_queued "$RQ")"
assert_grep "logged as sent" "to=<$JOERG>.*stat=Sent" "$(rq_log "$RQ")"

# An ASCII message is sent as before, without SMTPUTF8.
printf 'Subject: plain\n\nx\n' | rq "$RQ" -i bob@example.net
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q -v 2> "$RQ/v2.txt"
assert_grep "an ASCII message: MAIL without SMTPUTF8" "MAIL FROM:<root@example.org> SIZE=[0-9]*\$" "$RQ/v2.txt"

# ---- the same Postfix with smtputf8_enable = no ---------------------------
# It no longer offers SMTPUTF8 (it would still take a raw UTF-8 RCPT, but
# RFC 6531 §3.4 forbids sending one, and the next hop may mangle it): the
# UTF-8 recipient fails with 5.6.7, the ASCII one is delivered, and the
# sender's bounce goes back through the same smarthost.
postfix_set "$PF" smtputf8_enable=no
rm -f "$PF"/mail/*.eml "$PF"/mail/*.env
printf 'Subject: no utf8 here\n\nx\n' | rq "$RQ" -i "$JOERG" bob@example.net
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q -v 2> "$RQ/v3.txt"
assert_no_grep "no SMTPUTF8 offered: the UTF-8 address is never sent" "RCPT TO:<$JOERG>" "$RQ/v3.txt"
assert_grep "... the failure is logged with 5.6.7" \
	"to=<$JOERG>.*dsn=5.6.7, stat=Failed (5.6.7 The smarthost .* does not support SMTPUTF8" "$(rq_log "$RQ")"
# the DSN was queued as a new message: a second run sends it
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q
postfix_wait_mail "$PF" 2 || not_ok "the ASCII recipient and the bounce stored"
for m in $(postfix_mails "$PF"); do
	[ "$(postfix_env "$m" sender)" = "" ] && dsn=$m
done
if [ -z "${dsn:-}" ]; then not_ok "a bounce arrived"; else
	assert_eq "the bounce goes to the sender" root@example.org "$(postfix_env "$dsn" recipient)"
	assert_grep "the bounce is an RFC 3464 report" "report-type=delivery-status" "$dsn"
	assert_grep "... Final-Recipient in RFC 6533 form" '^Final-Recipient: utf-8; j\\x{F6}rg@example.org$' "$dsn"
	assert_grep "... Status 5.6.7" "^Status: 5.6.7" "$dsn"
	assert_grep "... saying plainly why" "does not support" "$dsn"
	assert_grep "... the address readable in the text part" "^<$JOERG>" "$dsn"
fi
assert_eq "nothing left in the queue" 0 "$(rq_queued "$RQ")"

# ---- faultd: transcript and stored bytes ---------------------------------
n=0
fault_case() {
	n=$((n + 1)); F=$T/f$n; RQ=$T/rqf$n; mkdir -p "$F"
	: > "$F/script"
	for r in "$@"; do echo "$r" >> "$F/script"; done
	FPORT=$(free_port)
	"$BUILD/faultd" -p "$FPORT" -o "$F" -s "$F/script" & at_exit "kill $!"
	wait_port "$FPORT"
	rq_setup "$RQ" "$FPORT"
}

fault_case "offered" "smtputf8"
printf 'To: %s\nSubject: f\n\nx\n' "$JOERG" | rq "$RQ" -i -f "$ASA" "$JOERG"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q
assert_grep "faultd offering SMTPUTF8: MAIL line" "^C: MAIL FROM:<$ASA> BODY=8BITMIME SMTPUTF8\$" "$F/transcript.log"
assert_grep "... stored envelope" "^RCPT TO:<$JOERG>" "$F/msg.1"

fault_case "not offered"
printf 'To: %s\nSubject: whole\n\nx\n' "$JOERG" | rq "$RQ" -i "$JOERG" bob@example.net
printf 'Subject: split\n\nx\n' | rq "$RQ" -i "$JOERG" bob@example.net
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q
assert_eq "not offered: the split message's ASCII recipient and two bounces" 3 \
	"$(ls "$F" | grep -c '^msg\.')"
assert_no_grep "not offered: no SMTPUTF8 and no UTF-8 address on the wire" "SMTPUTF8\|$JOERG" "$F/transcript.log"
assert_grep "a UTF-8 To: header fails the whole message" \
	"to=<bob@example.net>.*dsn=5.6.7.*which this message needs" "$(rq_log "$RQ")"
assert_grep "... the ASCII recipient of the other goes" "^RCPT TO:<bob@example.net>" "$F/msg.1"
assert_grep "... with its own header" "^Subject: split" "$F/msg.1"
for m in "$F"/msg.2 "$F"/msg.3; do
	assert_grep "bounce $m: from <>" "^MAIL FROM:<>" "$m"
	assert_grep "bounce $m: Status 5.6.7" "^Status: 5.6.7" "$m"
done
assert_eq "nothing left in the queue" 0 "$(rq_queued "$RQ")"
finish
