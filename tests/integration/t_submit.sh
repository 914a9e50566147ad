# t_submit: the submitter's command line, exit codes and message handling
# as cron, mailx and mutt use them; checked on what the smarthost receives.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

PF=$T/pf; PORT=$(free_port); RQ=$T/rq
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
mkdir -p "$RQ"
printf '# test aliases\nroot: admin@example.org\npostmaster: root\n' > "$RQ/aliases"
rq_setup "$RQ" "$PORT"

# Exit codes and messages, sendmail's wording.
rq "$RQ" -Z < /dev/null 2> "$T/err"
assert_eq "unknown flag: exit 64" 64 $?
assert_grep "unknown flag: one-line message" "illegal option -- Z" "$T/err"
printf 'Subject: x\n\ny\n' | rq "$RQ" 2> "$T/err"
assert_eq "no recipients without -t: exit 64" 64 $?
assert_grep "no recipients: sendmail's message" "Recipient names must be specified" "$T/err"
printf 'Subject: x\n\ny\n' | rq "$RQ" -t 2> "$T/err"
assert_eq "-t without recipients: exit 0 like sendmail" 0 $?
assert_grep "-t without recipients: says so" "No recipient addresses found in header" "$T/err"
assert_eq "-t without recipients: nothing queued" 0 "$(rq_queued "$RQ")"
rq "$RQ" -F "$(printf 'Evil\nBcc: x@y')" a@example.org < /dev/null 2> "$T/err"
assert_eq "-F with a newline refused: exit 64" 64 $?
assert_eq "-F with a newline: nothing queued" 0 "$(rq_queued "$RQ")"
rq "$RQ" --version > "$T/out"
assert_grep "--version" "^relayq [0-9]" "$T/out"

# -t: To/Cc/Bcc become recipients, Bcc does not travel.
printf 'To: Ann <ann@example.org>, bob@example.org\nCc: "Carl, Jr." <carl@example.org>\nBcc: hidden@example.org\nSubject: t\n\nbody\n' |
	rq "$RQ" -t -i
rq "$RQ" -q
postfix_wait_mail "$PF" 4 10
for f in $(postfix_mails "$PF"); do postfix_env "$f" recipient; done | sort > "$T/rcpts"
printf 'ann@example.org\nbob@example.org\ncarl@example.org\nhidden@example.org\n' > "$T/want"
check "-t takes To, Cc and Bcc recipients" cmp -s "$T/want" "$T/rcpts"
postfix_message "$(postfix_mails "$PF" | head -n 1)" > "$T/got"
assert_no_grep "Bcc removed from the delivered copy" "^Bcc:" "$T/got"
assert_grep "To kept" "^To: Ann <ann@example.org>, bob@example.org$" "$T/got"
# No From: and no -f/-F: the caller's login and full name, as NSS has them
# (sendmail reads /etc/passwd itself when nsswitch.conf puts files first).
me=$(getent passwd "$(id -u)")
login=$(echo "$me" | cut -d: -f1); name=$(echo "$me" | cut -d: -f5 | cut -d, -f1)
assert_eq "sender is the caller's login" "$login@example.org" "$(postfix_env "$(postfix_mails "$PF" | head -n 1)" sender)"
assert_grep "From: is the caller's full name and login" "^From: $name <$login@example.org>$" "$T/got"

# cron: unqualified names are aliased and qualified, headers too.
printf 'From: root (Cron Daemon)\nTo: root\nSubject: Cron <root@host> run-parts\n\noutput\n' |
	rq "$RQ" -t -i -FCronDaemon
rq "$RQ" -q
postfix_wait_mail "$PF" 5 10
f=$(postfix_mails "$PF" | tail -n 1)
assert_eq "root aliased to admin@example.org" "admin@example.org" "$(postfix_env "$f" recipient)"
postfix_message "$f" > "$T/got"
assert_grep "From: root qualified, comment kept" "^From: root@example.org (Cron Daemon)$" "$T/got"
assert_grep "To: root qualified" "^To: root@example.org$" "$T/got"

# -f/-F build From: and the envelope sender.
printf 'Subject: f\n\nx\n' | rq "$RQ" -i -f app@example.com -F 'App Mailer' z@example.org
rq "$RQ" -q
postfix_wait_mail "$PF" 6 10
f=$(postfix_mails "$PF" | tail -n 1)
assert_eq "-f sets the envelope sender" "app@example.com" "$(postfix_env "$f" sender)"
postfix_message "$f" > "$T/got"
assert_grep "-F and -f make From:" '^From: App Mailer <app@example.com>$' "$T/got"

# -bs: an SMTP dialogue on stdin/stdout queues each DATA.
printf 'EHLO mua\r\nMAIL FROM:<mua@example.org>\r\nRCPT TO:<bs@example.org>\r\nDATA\r\nSubject: bs\r\n\r\n..dotted\r\n.\r\nQUIT\r\n' |
	rq "$RQ" -bs > "$T/bs"
assert_grep "-bs greets" "^220 client.relayq.test ESMTP" "$T/bs"
assert_grep "-bs queues the message" "^250 2.0.0 Ok: queued as [0-9A-Za-z]\{14\}" "$T/bs"
assert_grep "-bs says goodbye" "^221 " "$T/bs"
rq "$RQ" -q
postfix_wait_mail "$PF" 7 10
f=$(postfix_mails "$PF" | tail -n 1)
assert_eq "-bs sender" "mua@example.org" "$(postfix_env "$f" sender)"
assert_eq "-bs body unstuffed then restuffed intact" ".dotted" "$(postfix_body "$f")"

# mailq and newaliases by program name.
ln -s "$BUILD/sendmail" "$T/mailq"; ln -s "$BUILD/sendmail" "$T/newaliases"
"$T/mailq" -C "$RQ/relayq.conf" > "$T/out"
assert_grep "mailq by argv[0]" "is empty" "$T/out"
"$T/newaliases" -C "$RQ/relayq.conf" > "$T/out"
assert_eq "newaliases exits 0" 0 $?
finish
