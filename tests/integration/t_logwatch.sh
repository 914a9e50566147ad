# t_logwatch: relayq's log lines, as relayq writes them (log_file, the same
# fields as syslog's), counted by logwatch with the service in
# packaging/logwatch, and filtered by the logcheck rules in
# packaging/logcheck: routine lines ignored, problems kept.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"

LW=$TOP/packaging/logwatch
LC=$TOP/packaging/logcheck
C=$T/certs; mkdir -p "$C"
tls_make_ca "$C" && tls_make_cert "$C" good "DNS:localhost,IP:127.0.0.1" ||
	{ not_ok "test certificates"; finish; }

# The smarthost: STARTTLS, AUTH PLAIN for testuser, one recipient deferred
# (451) and one refused (550) on every attempt.  Its rules hold the
# password: named authinfo.* so that finish's scan for leaked passwords
# treats the file as the credential store it is.
F=$T/smarthost; mkdir -p "$F"
printf '%s\n' starttls "auth PLAIN" auth-tls-only "auth-user testuser testpass" \
	"rcpt later@ 451 4.3.0 try later" "rcpt bad@ 550 5.1.1 no such user" > "$F/authinfo.rules"
PORT=$(free_port)
"$BUILD/faultd" -p "$PORT" -o "$F" -s "$F/authinfo.rules" -c "$C/good.pem" -k "$C/good.key" &
at_exit "kill $!"
wait_port "$PORT"

RQ=$T/rq
rq_setup "$RQ" "$PORT" "smarthost localhost:$PORT" "tls starttls" "tls_ca $C/ca.pem" \
	"authinfo hash:$RQ/authinfo"
printf 'AuthInfo:localhost "U:testuser" "P:testpass" "M:PLAIN"\n' > "$RQ/authinfo"
chmod 600 "$RQ/authinfo"
"$BUILD/relayq-makemap" hash "$RQ/authinfo" < "$RQ/authinfo"

# Two messages, five recipients: three delivered, one deferred, one
# bounced; the bounce goes back to root@example.org through the same relay.
printf 'Subject: one\n\nfirst\n' |
	rq "$RQ" -i good1@example.org good2@example.net later@example.org bad@example.org
printf 'Subject: two\n\nsecond\n' | rq "$RQ" -i good3@example.org
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q

# A relay that is down: one message, deferred, and a failed connection.
RQ2=$T/rq2
rq_setup "$RQ2" "$(free_port)"
printf 'Subject: three\n\nthird\n' | rq "$RQ2" -i down@example.org
"$BUILD/relayqd" -C "$RQ2/relayq.conf" -q

LOG=$T/maillog
cat "$(rq_log "$RQ")" "$(rq_log "$RQ2")" > "$LOG"
host=$(hostname | cut -d. -f1)
assert_eq "log_file lines carry syslog's fields: date, host, ident[pid]" 0 \
	"$(grep -c -v -E "^[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} $host (sendmail|relayqd)\[[0-9]+\]: " "$LOG")"
assert_grep "the log has a delivery" "relayqd\[[0-9]*\]: [0-9A-Za-z]\{14\}: to=<good1@example.org>.*stat=Sent" "$LOG"

# logwatch as installed, with relayq's service in its /etc/logwatch (a
# private mount namespace: the host's /etc/logwatch is not touched).
E=$T/etc-logwatch
mkdir -p "$E/conf/services" "$E/scripts/services" "$T/logdir"
cp "$LW/conf/services/relayq.conf" "$E/conf/services/"
cp "$LW/scripts/services/relayq" "$E/scripts/services/"
cp "$LOG" "$T/logdir/mail.log"	# Debian's maillog group reads mail.log
logwatch_run() { # logwatch_run DETAIL OUT
	unshare --mount sh -c "mount --bind '$E' /etc/logwatch && exec logwatch \
		--service relayq --range all --detail $1 --output stdout --logdir '$T/logdir'" > "$2" 2>&1
}
logwatch_run 10 "$T/report"
assert_eq "logwatch ran" 0 $?
assert_grep "logwatch: a relayq section" "relayq Begin" "$T/report"
assert_grep "logwatch: messages received (2, and 1 for the down relay)" \
	"^ *Messages received: 3 (" "$T/report"
assert_grep "logwatch: delivered (3 + the bounce)" "^ *Recipients delivered: 4$" "$T/report"
assert_grep "logwatch: deferred (451 + the down relay)" "^ *Recipients deferred: 2$" "$T/report"
assert_grep "logwatch: bounced (550)" "^ *Recipients bounced: 1$" "$T/report"
assert_grep "logwatch: one failure notice" "^ *Delivery status notices: 1 (1 failure)" "$T/report"
assert_grep "logwatch: TLS sessions" "^ *TLS sessions: 2$" "$T/report"
assert_grep "logwatch: AUTH logins" "^ *AUTH logins: 2$" "$T/report"
assert_grep "logwatch: errors (the failed connection)" "^ *Errors: 1$" "$T/report"
assert_grep "logwatch: per relay" "^ *localhost \[127.0.0.1\]: 4 delivered, 1 deferred, 1 bounced$" "$T/report"
assert_grep "logwatch: deferral reason" "451 4.3.0 try later: 1 time$" "$T/report"
assert_grep "logwatch: bounce reason" "550 5.1.1 no such user: 1 time$" "$T/report"
assert_grep "logwatch: TLS verify result" "localhost \[127.0.0.1\] verify=OK: 2 times$" "$T/report"
assert_grep "logwatch: the failed connection" "^ *127.0.0.1:[0-9]*: .*: 1 time$" "$T/report"
assert_grep "logwatch detail 10: recipient domains" "example.net: 1 time$" "$T/report"
assert_no_grep "logwatch: every line recognised" "unrecognised" "$T/report"
logwatch_run 0 "$T/report0"
assert_grep "logwatch detail 0: the counts" "^ *Recipients delivered: 4$" "$T/report0"
assert_no_grep "logwatch detail 0: no per-relay table" "Per relay" "$T/report0"

# The script alone, as logwatch runs it (header removed, detail in env).
sed -E 's/^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [^ ]+ (sendmail|relayqd)\[[0-9]+\]: //' "$LOG" |
	LOGWATCH_DETAIL_LEVEL=5 perl "$LW/scripts/services/relayq" > "$T/direct"
assert_grep "script alone: the same counts" "^Recipients delivered: 4$" "$T/direct"
echo "garbage line from relayqd" | perl "$LW/scripts/services/relayq" > "$T/unknown"
assert_grep "script alone: an unknown line is an error, listed" "garbage line from relayqd: 1 time" "$T/unknown"

# logcheck: the server rules ignore the routine lines and keep problems.
grep -v -E -f "$LC/ignore.d.server/relayq" "$LOG" > "$T/kept.server"
assert_no_grep "logcheck server: from= ignored" "from=<" "$T/kept.server"
assert_no_grep "logcheck server: stat=Sent ignored" "stat=Sent" "$T/kept.server"
assert_no_grep "logcheck server: STARTTLS verify=OK ignored" "STARTTLS=client" "$T/kept.server"
assert_no_grep "logcheck server: AUTH=client ignored" "AUTH=client" "$T/kept.server"
assert_no_grep "logcheck server: DSN notice ignored" "DSN: failure notice" "$T/kept.server"
assert_grep "logcheck server: stat=Deferred kept" "stat=Deferred (451 4.3.0 try later)" "$T/kept.server"
assert_grep "logcheck server: stat=Failed kept" "stat=Failed (550 5.1.1 no such user)" "$T/kept.server"
assert_grep "logcheck server: the failed connection kept" "connection to 127.0.0.1 port" "$T/kept.server"
cat "$LC/ignore.d.server/relayq" "$LC/ignore.d.workstation/relayq" > "$T/ws.rules"
grep -v -E -f "$T/ws.rules" "$LOG" > "$T/kept.ws"
assert_no_grep "logcheck workstation: deferrals ignored" "stat=Deferred" "$T/kept.ws"
assert_grep "logcheck workstation: bounces kept" "stat=Failed" "$T/kept.ws"
printf '%s\n' \
	"Dec  2 07:28:32 vm relayqd[5913]: STARTTLS=client, relay=x [192.0.2.1], version=TLSv1.3, verify=FAIL, cipher=TLS_AES_256_GCM_SHA384, bits=256/256" \
	"Dec  2 07:28:32 vm relayqd[5913]: authinfo hash:/etc/mail/authinfo: unsafe map file: not owned by root; mail stays queued" \
	"Dec  2 07:28:32 vm relayqd[5913]: 1xYelU0mAD01XF: moved to quarantine/1xYelU0mAD01XF: forged drop file" \
	"Dec  2 07:28:32 vm relayqd[5913]: no user relayq: refusing to deliver mail as root" > "$T/problems"
assert_eq "logcheck: no rule ignores a problem line" 0 "$(grep -c -E -f "$T/ws.rules" "$T/problems")"
finish
