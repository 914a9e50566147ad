# t_oauth2: OAuth2 at run time — an authinfo entry with an O: token file,
# relayq-oauth2-refresh against a local HTTPS token endpoint (httpsd
# #!refresh-token), XOAUTH2 and OAUTHBEARER against faultd auth-bearer.
# Expired tokens are refreshed before the session, rotated refresh tokens
# stored, a revoked one defers with what to do; no bearer token without
# TLS; tokens never in logs, -v, queue files or transcripts; file modes.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"

AT_OLD=at-expired-0b1e7c2d9a; AT_NEW=at-fresh-5e6f7a8b9c0d
RT1=rt-first-3c4d5e6f7a8b; RT2=rt-rotated-9f8e7d6c5b4a
add_secret "$AT_OLD"; add_secret "$AT_NEW"; add_secret "$RT1"; add_secret "$RT2"
USER=alice@outlook.example

C=$T/certs; mkdir -p "$C"
tls_make_ca "$C" && tls_make_cert "$C" good "DNS:localhost,IP:127.0.0.1" ||
	{ not_ok "test certificates"; finish; }

# The provider: a token endpoint on https://localhost:$HPORT/token.
P=$T/oauth2-provider; mkdir -p "$P/docroot/localhost"
HPORT=$(free_port)
"$BUILD/httpsd" -p "$HPORT" -r "$P/docroot" -c "$C/good.pem" -k "$C/good.key" \
	-l "$P/requests.log" 2>"$P/httpsd.err" &
at_exit "kill $!"
wait_port "$HPORT" || { not_ok "httpsd listens"; finish; }
ENDPOINT=$P/docroot/localhost/token
# endpoint LINES...: what the token endpoint does from now on.
endpoint() {
	rm -f "$ENDPOINT.polls"
	printf '#!refresh-token\nclient_id relayq-test-client\n' > "$ENDPOINT"
	printf '%s\n' "$@" >> "$ENDPOINT"
}
refreshes() { grep -c refresh "$ENDPOINT.polls" 2>/dev/null || echo 0; }

# The token store: a 0700 directory of relayq's.
TOK=$T/oauth2; mkdir -p "$TOK"; chown relayq: "$TOK"; chmod 700 "$TOK"
# token_file NAME REFRESH ACCESS EXPIRES: a token state file of relayq's.
token_file() {
	cat > "$TOK/$1" <<EOF
# written by t_oauth2
token_endpoint https://localhost:$HPORT/token
client_id relayq-test-client
scope https://outlook.office.com/SMTP.Send offline_access
user $USER
ca_file $C/ca.pem
refresh_token $2
access_token $3
expires $4
EOF
	chown relayq: "$TOK/$1"; chmod 600 "$TOK/$1"
}
value() { sed -n "s/^$2 //p" "$TOK/$1"; }

n=0
# oauth_case "FAULTD RULES;..." "AUTHINFO ITEMS" CONFIG-LINES...: a faultd
# (STARTTLS with the good certificate) and a relayq with that entry.
oauth_case() {
	n=$((n + 1)); F=$T/f$n; RQ=$T/rq$n; mkdir -p "$F"
	echo "$1" | tr ';' '\n' > "$P/smtp$n.script"
	PORT=$(free_port)
	"$BUILD/faultd" -p "$PORT" -o "$F" -s "$P/smtp$n.script" -c "$C/good.pem" -k "$C/good.key" &
	at_exit "kill $!"
	wait_port "$PORT"
	rq_setup "$RQ" "$PORT" "smarthost localhost:$PORT" "tls_ca $C/ca.pem" \
		"authinfo hash:$RQ/authinfo" "${3:-tls starttls}"
	printf 'AuthInfo:localhost %s\n' "$2" > "$RQ/authinfo"
	chmod 600 "$RQ/authinfo"
	"$BUILD/relayq-makemap" hash "$RQ/authinfo" < "$RQ/authinfo"
}
send() { rq_send_v "$RQ" "$1"; }
stored() { ls "$F" | grep -c '^msg\.'; }
mailq_has() { rq "$RQ" -bp > "$RQ/mailq"; assert_grep "$1" "$2" "$RQ/mailq"; }
SMTP="starttls;auth XOAUTH2 OAUTHBEARER PLAIN;auth-tls-only;auth-bearer $AT_NEW"

# --- an expired access token: refreshed before the session, delivered
endpoint "valid_refresh $RT1" "access_token $AT_NEW" "expires_in 3600" "rotate $RT2"
token_file alice "$RT1" "$AT_OLD" 1000
oauth_case "$SMTP" "\"U:$USER\" \"O:$TOK/alice\" \"M:XOAUTH2\""
before=$(date +%s)
send "expired token"
assert_eq "expired token: refreshed once" 1 "$(refreshes)"
assert_eq "expired token: delivered" 1 "$(stored)"
assert_eq "expired token: queue empty" 0 "$(rq_queued "$RQ")"
assert_grep "expired token: XOAUTH2 for the mailbox" "^--- bearer XOAUTH2 user $USER\$" "$F/transcript.log"
assert_grep "expired token: AUTH= log line" "AUTH=client, relay=localhost \[127.0.0.1\], mech=XOAUTH2" "$(rq_log "$RQ")"
assert_grep "expired token: -v shows AUTH redacted" "^>>> AUTH XOAUTH2" "$RQ/v.txt"
assert_eq "expired token: new access token stored" "$AT_NEW" "$(value alice access_token)"
assert_eq "rotated refresh token stored" "$RT2" "$(value alice refresh_token)"
exp=$(value alice expires)
check "expires is now + expires_in" [ "$exp" -ge $((before + 3600)) ] && [ "$exp" -le $(( $(date +%s) + 3600 )) ]
assert_eq "other keys kept on rewrite" "https://outlook.office.com/SMTP.Send offline_access" "$(value alice scope)"
assert_eq "token file: mode 600, owner relayq" "600 relayq" "$(stat -c '%a %U' "$TOK/alice")"
assert_eq "token directory: mode 700, owner relayq" "700 relayq" "$(stat -c '%a %U' "$TOK")"
assert_eq "no temporary file left" "alice" "$(ls -A "$TOK")"
assert_grep "the token endpoint saw a POST" "POST /token" "$P/requests.log"

# --- still fresh: no refresh, same token
send "fresh token"
assert_eq "fresh token: no second refresh" 1 "$(refreshes)"
assert_eq "fresh token: delivered" 2 "$(stored)"

# --- OAUTHBEARER (RFC 7628), with a token that expires within 5 minutes
endpoint "valid_refresh $RT2" "access_token $AT_NEW" "expires_in 3600"
token_file bob "$RT2" "$AT_OLD" $(( $(date +%s) + 120 ))
oauth_case "$SMTP" "\"U:$USER\" \"O:$TOK/bob\" \"M:OAUTHBEARER\""
send "oauthbearer"
assert_eq "expiring within 5 minutes: refreshed" 1 "$(refreshes)"
assert_eq "OAUTHBEARER: delivered" 1 "$(stored)"
assert_grep "OAUTHBEARER: GS2 header with the mailbox" "^--- bearer OAUTHBEARER user $USER\$" "$F/transcript.log"
assert_eq "no rotation: the refresh token stays" "$RT2" "$(value bob refresh_token)"

# --- a revoked refresh token: deferred with what to do, never bounced
endpoint "valid_refresh some-other-token" "access_token $AT_NEW"
token_file carol "$RT1" "$AT_OLD" 1000
oauth_case "$SMTP" "\"U:$USER\" \"O:$TOK/carol\" \"M:XOAUTH2\""
send "revoked"
WHAT="refresh token revoked or expired: run relayq-setup --oauth2 $USER again"
assert_eq "revoked: stays queued" 1 "$(rq_queued "$RQ")"
mailq_has "revoked: mailq says what to do" "$WHAT"
assert_grep "revoked: the log says what to do" "$WHAT" "$(rq_log "$RQ")"
assert_grep "revoked: deferred, not failed" "stat=Deferred" "$(rq_log "$RQ")"
assert_no_grep "revoked: no session opened" "^C: EHLO" "$F/transcript.log"
assert_eq "revoked: the file keeps its refresh token" "$RT1" "$(value carol refresh_token)"

# --- the token endpoint is down (503): deferred, tried again later
endpoint "valid_refresh $RT1" "answer status 503"
oauth_case "$SMTP" "\"U:$USER\" \"O:$TOK/carol\" \"M:XOAUTH2\""
send "endpoint down"
assert_eq "endpoint 503: stays queued" 1 "$(rq_queued "$RQ")"
mailq_has "endpoint 503: mailq says so" "token endpoint answered HTTP 503; will try again"

# --- the SMTP server refuses the token: error challenge, dummy answer, 535
token_file dave "$RT1" "$AT_OLD" $(( $(date +%s) + 7200 ))
for mech in XOAUTH2 OAUTHBEARER; do
	oauth_case "$SMTP" "\"U:$USER\" \"O:$TOK/dave\" \"M:$mech\""
	send "refused token $mech"
	assert_eq "refused token, $mech: stays queued" 1 "$(rq_queued "$RQ")"
	dummy=empty; [ "$mech" = OAUTHBEARER ] && dummy=AQ==
	assert_grep "refused token, $mech: dummy answer $dummy" "^--- dummy answer $dummy\$" "$F/transcript.log"
	assert_grep "refused token, $mech: error challenge status logged" \
		"AUTH $mech with .*status invalid_token" "$(rq_log "$RQ")"
	mailq_has "refused token, $mech: deferred with the 535" "AUTH $mech .*failed: 535"
	assert_no_grep "refused token, $mech: no MAIL" "^C: MAIL" "$F/transcript.log"
done

# --- no bearer token without TLS, even when the server offers XOAUTH2
oauth_case "auth XOAUTH2 OAUTHBEARER;auth-bearer $AT_NEW" \
	"\"U:$USER\" \"O:$TOK/dave\" \"M:XOAUTH2 OAUTHBEARER\"" "tls none"
send "no tls"
assert_no_grep "tls none: no AUTH reached the server" "^C: AUTH" "$F/transcript.log"
assert_no_grep "tls none: no MAIL" "^C: MAIL" "$F/transcript.log"
assert_eq "tls none: stays queued" 1 "$(rq_queued "$RQ")"
mailq_has "tls none: the reason" "mechanisms that send the password need TLS"

# --- an unsafe token file: refused, deferred
token_file erin "$RT1" "$AT_NEW" $(( $(date +%s) + 7200 ))
chmod 644 "$TOK/erin"
oauth_case "$SMTP" "\"U:$USER\" \"O:$TOK/erin\""
send "unsafe file"
assert_eq "mode 644 token file: stays queued" 1 "$(rq_queued "$RQ")"
mailq_has "mode 644 token file: the reason" "mode 0600"
chmod 600 "$TOK/erin"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q 2>/dev/null
assert_eq "mode fixed, no M: (XOAUTH2 first by default): delivered" 0 "$(rq_queued "$RQ")"

# --- P: and O: together: a bad entry
oauth_case "$SMTP" "\"U:$USER\" \"P:testpass\" \"O:$TOK/erin\""
send "p and o"
assert_eq "P: and O: together: stays queued" 1 "$(rq_queued "$RQ")"
assert_grep "P: and O: together: the log says why" "both P: and O:" "$(rq_log "$RQ")"

# (finish scans logs, -v transcripts, queue files and faultd's transcripts
# for every token, plain and base64)
finish
