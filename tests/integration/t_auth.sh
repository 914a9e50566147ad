# t_auth: the trust path against a real Postfix (Cyrus SASL, sasldb2,
# STARTTLS and port-465 style TLS with a throwaway CA): every mechanism
# over each TLS mode, then the failures that must defer and never leak.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

PF=$T/pf; PORT=$(free_port)
postfix_start "$PF" "$PORT" authtls || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
SPORT=$(postfix_smtps_port "$PF")
REALM=$PF_HOSTNAME

n=0
# auth_case PORT AUTHINFO-LINE CONFIG-LINES...: a fresh relayq whose
# authinfo map holds AUTHINFO-LINE (built with relayq-makemap).
auth_case() {
	n=$((n + 1)); RQ=$T/rq$n; _p=$1; _line=$2; shift 2
	mkdir -p "$RQ"
	printf '%s\n' "$_line" > "$RQ/authinfo"
	chmod 600 "$RQ/authinfo"
	"$BUILD/relayq-makemap" hash "$RQ/authinfo" < "$RQ/authinfo"
	rq_setup "$RQ" "$_p" "smarthost localhost:$_p" "tls_ca $PF/tls/ca.pem" \
		"authinfo hash:$RQ/authinfo" "$@"
}
# send SUBJECT / stored_env SUBJECT: see relayq.sh and postfix.sh.
send() { rq_send_v "$RQ" "$1"; }
stored_env() { postfix_env_of "$PF" "$1"; }

# --- every mechanism, over STARTTLS (587 style) and implicit TLS (465)
for mech in PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
	for mode in starttls smtps; do
		p=$PORT; [ "$mode" = smtps ] && p=$SPORT
		auth_case "$p" "AuthInfo:localhost \"U:$PF_SASL_USER\" \"I:$PF_SASL_USER\" \"P:$PF_SASL_PASS\" \"R:$REALM\" \"M:$mech\"" "tls $mode"
		send "$mech over $mode"
		env=$(stored_env "$mech over $mode")
		if [ -n "$env" ] && grep -qx "sasl_method $mech" "$env" &&
		   grep -qx "sasl_username $PF_SASL_USER" "$env"; then
			ok "$mech over $mode: delivered, Postfix saw AUTH $mech as $PF_SASL_USER"
		else
			not_ok "$mech over $mode: delivered with AUTH $mech"
		fi
		assert_eq "$mech over $mode: queue empty" 0 "$(rq_queued "$RQ")"
		assert_grep "$mech over $mode: STARTTLS= log line" \
			"STARTTLS=client, relay=localhost \[127.0.0.1\], version=TLSv1.[23], verify=OK, cipher=.*, bits=[0-9]*/[0-9]*" "$(rq_log "$RQ")"
		assert_grep "$mech over $mode: AUTH= log line" \
			"AUTH=client, relay=localhost \[127.0.0.1\], mech=$mech, bits=0" "$(rq_log "$RQ")"
		assert_grep "$mech over $mode: -v shows AUTH redacted" "^>>> AUTH $mech" "$RQ/v.txt"
		assert_grep "$mech over $mode: MAIL carries AUTH=<>" "^>>> MAIL FROM:<.*> .*AUTH=<>" "$RQ/v.txt"
	done
done
body=$(postfix_message "$(grep -l '^Subject: PLAIN over starttls$' "$PF"/mail/*.eml)" | tail -n 1)
assert_eq "body arrives byte-exact" "body of PLAIN over starttls" "$body"

# --- wrong password: deferred with Postfix's 535, not bounced
auth_case "$PORT" "AuthInfo:localhost \"U:$PF_SASL_USER\" \"P:wrongpassword\" \"M:PLAIN\"" "tls starttls"
send "wrong password"
assert_eq "wrong password: message stays queued" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$RQ/mailq"
assert_grep "wrong password: mailq shows the 535" "AUTH PLAIN .*failed: 535 5.7.8" "$RQ/mailq"
assert_grep "wrong password: logged as an error" "AUTH PLAIN with localhost .*failed: 535" "$(rq_log "$RQ")"
assert_grep "wrong password: deferred, not failed" "stat=Deferred" "$(rq_log "$RQ")"
assert_no_grep "wrong password: no MAIL sent" "^>>> MAIL" "$RQ/v.txt"
assert_grep "wrong password: Postfix saw the failed AUTH" "authentication failed" "$PF/maillog"
send "wrong password again"
assert_eq "wrong password: one AUTH attempt per run for two messages" 1 \
	"$(grep -c '^>>> AUTH' "$RQ/v.txt")"
assert_eq "wrong password: both messages deferred with the reason" 2 \
	"$(grep -c 'stat=Deferred (AUTH PLAIN .*535' "$RQ/v.txt")"

# --- plaintext mechanism on a connection without TLS: never offered
# (this Postfix offers AUTH only after STARTTLS, so with tls none it has
# nothing to offer and nothing is sent)
auth_case "$PORT" "AuthInfo:localhost \"U:$PF_SASL_USER\" \"P:$PF_SASL_PASS\" \"M:PLAIN LOGIN\"" "tls none"
send "no tls"
assert_eq "tls none, AUTH only after TLS: stays queued" 1 "$(rq_queued "$RQ")"
assert_no_grep "tls none: no AUTH sent" "^>>> AUTH" "$RQ/v.txt"
assert_no_grep "tls none: no MAIL sent" "^>>> MAIL" "$RQ/v.txt"
rq "$RQ" -bp > "$RQ/mailq"
assert_grep "tls none: reason in mailq" "does not offer AUTH (without TLS)" "$RQ/mailq"

# --- no entry for the smarthost: deferred with a clear reason
auth_case "$PORT" "AuthInfo:other.example \"U:x\" \"P:$PF_SASL_PASS\"" "tls starttls"
send "no entry"
assert_eq "no authinfo entry: stays queued" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$RQ/mailq"
assert_grep "no authinfo entry: reason in mailq" "no authinfo entry for localhost" "$RQ/mailq"
assert_no_grep "no authinfo entry: no MAIL sent" "^>>> MAIL" "$RQ/v.txt"

# --- the default entry (AuthInfo: with an empty key) and the address entry
auth_case "$PORT" "AuthInfo:127.0.0.1 \"U:$PF_SASL_USER\" \"P:$PF_SASL_PASS\" \"M:SCRAM-SHA-256\"" "tls starttls"
send "address entry"
assert_eq "entry found by the relay's address: delivered" 0 "$(rq_queued "$RQ")"

# --- an unsafe map is refused, and the mail waits
auth_case "$PORT" "AuthInfo:localhost \"U:$PF_SASL_USER\" \"P:$PF_SASL_PASS\"" "tls starttls"
chmod 644 "$RQ/authinfo.db"
send "unsafe map"
assert_eq "world-readable authinfo: stays queued" 1 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$RQ/mailq"
assert_grep "world-readable authinfo: mailq points to the log" "authinfo map unusable, see the log" "$RQ/mailq"
assert_grep "world-readable authinfo: the log names the file" "authinfo hash:$RQ/authinfo: .*authinfo.db" "$(rq_log "$RQ")"
assert_no_grep "world-readable authinfo: no connection made" "^>>> EHLO" "$RQ/v.txt"

# --- a typo in a text: map (no blank after the key) holds the password:
# the log gets file and line, messages only a pointer to the log.
n=$((n + 1)); RQ=$T/rq$n; mkdir -p "$RQ"
printf 'AuthInfo:localhost"U:%s""P:%s"\n' "$PF_SASL_USER" "$PF_SASL_PASS" > "$RQ/authinfo"
chmod 600 "$RQ/authinfo"
rq_setup "$RQ" "$PORT" "smarthost localhost:$PORT" "tls_ca $PF/tls/ca.pem" \
	"authinfo text:$RQ/authinfo"
send "typo map"
printf 'Subject: typo map 2\n\nx\n' | rq "$RQ" -i carol@example.org
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q 2>/dev/null
assert_eq "typo in the map: both messages stay queued" 2 "$(rq_queued "$RQ")"
rq "$RQ" -bp > "$RQ/mailq"
assert_eq "typo in the map: each message says only where to look" 2 \
	"$(grep -c 'authinfo map unusable, see the log' "$RQ/mailq")"
assert_grep "typo in the map: the log names file and line" "$RQ/authinfo:1" "$(rq_log "$RQ")"
# (finish scans every file left here, .qf and log included, for the password)

# --- Postfix that requires TLS before MAIL, but not offered AUTH when
# credentials are optional and absent: sent encrypted without AUTH is not
# possible here (relaying needs AUTH), so the RCPT is refused visibly.
auth_case "$PORT" "AuthInfo:other.example \"U:x\" \"P:$PF_SASL_PASS\"" "tls starttls" "auth optional"
send "auth optional"
assert_grep "auth optional without entry: sent without AUTH" "^>>> MAIL FROM" "$RQ/v.txt"
assert_no_grep "auth optional without entry: no AUTH" "^>>> AUTH" "$RQ/v.txt"

finish
