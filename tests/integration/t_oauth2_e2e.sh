# t_oauth2_e2e: issue 17's whole path, as a user would live it.
# relayq-setup --oauth2 alice@outlook.example signs in against a local
# provider (httpsd as login.microsoftonline.com:443, faultd as
# smtp.office365.com:587 with STARTTLS and AUTH XOAUTH2 for exactly the
# current access token); the test approves the code it is shown; then
# relayqd sends with the files relayq-setup wrote, and keeps sending after
# the access token expires: it refreshes it (a new access token, a rotated
# refresh token) before the session, with no one's help.  The real names
# resolve to 127.0.0.1 in a private /etc/hosts inside a private network
# namespace (so the servers can have the real ports): the test runs itself
# again under unshare --mount --net (root, as t_dualstack does).
if [ -z "${RQ_OAUTH2_NS:-}" ]; then
	RQ_OAUTH2_NS=1 exec unshare --mount --net sh "$0" "$@"
fi
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"

ip link set lo up || { not_ok "loopback up in the test's network namespace"; finish; }
printf '127.0.0.1 localhost login.microsoftonline.com smtp.office365.com\n' > "$T/hosts"
chmod 644 "$T/hosts"
mount --bind "$T/hosts" /etc/hosts || { not_ok "a private /etc/hosts"; finish; }

AT1=at-first-e2e-4b5c6d7e8f; AT2=at-second-e2e-9a8b7c6d5e
RT1=rt-first-e2e-1a2b3c4d5e; RT2=rt-rotated-e2e-6f7e8d9c0b; DC=dc-e2e-2f3e4d5c
add_secret "$AT1"; add_secret "$AT2"; add_secret "$RT1"; add_secret "$RT2"; add_secret "$DC"
CLIENT=relayq-e2e-client; USER_CODE=KLMN-PQRS; ME=alice@outlook.example
SCOPE='https://outlook.office.com/SMTP.Send offline_access'

C=$T/certs; mkdir -p "$C"
tls_make_ca "$C" && tls_make_cert "$C" login "DNS:login.microsoftonline.com" &&
	tls_make_cert "$C" smtp "DNS:smtp.office365.com" || { not_ok "test certificates"; finish; }
# The provider's scripts hold the tokens: outside $T, which is scanned.
W=$(mktemp -d /tmp/relayq-oauth2-e2e.XXXXXX); at_exit "rm -rf $W"
EP=$W/login.microsoftonline.com/common/oauth2/v2.0; mkdir -p "$EP"
"$BUILD/httpsd" -p 443 -r "$W" -c "$C/login.pem" -k "$C/login.key" -l "$T/http.log" &
at_exit "kill $!"
# smtp_server TOKEN: faultd on :587 accepting exactly that bearer token.
smtp_server() {
	[ -n "${SPID:-}" ] && kill "$SPID" && wait "$SPID" 2>/dev/null
	printf 'starttls\nauth XOAUTH2\nauth-tls-only\nauth-bearer %s\n' "$1" > "$W/faultd.script"
	mkdir -p "$T/smtp"
	"$BUILD/faultd" -p 587 -o "$T/smtp" -s "$W/faultd.script" -c "$C/smtp.pem" -k "$C/smtp.key" &
	SPID=$!
	wait_port 587
}
smtp_server "$AT1"
at_exit 'kill $SPID'
wait_port 443 || { not_ok "the provider listens"; finish; }
printf '%s\n' '#!device-authorization' "client_id $CLIENT" "scope $SCOPE" \
	"response {\"device_code\":\"$DC\",\"user_code\":\"$USER_CODE\",\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":900,\"interval\":1}" \
	> "$EP/devicecode"
printf '%s\n' '#!device-token' "client_id $CLIENT" "device_code $DC" "user_code $USER_CODE" \
	"access_token $AT1" "refresh_token $RT1" "expires_in 3599" "scope $SCOPE" "poll approval" \
	> "$EP/token"

# --- 1. sign in: relayq-setup shows a code, the user approves it -----------
D=$T/etc; mkdir -p "$D"
setsid -w "$BUILD/relayq-setup" --tls-ca "$C/ca.pem" --oauth2 --oauth2-issuer login.microsoftonline.com \
	--client-id "$CLIENT" --oauth2-dir "$D/oauth2" --yes -C "$D/relayq.conf" "$ME" \
	> "$T/setup.out" 2>&1 < /dev/null &
SETUP=$!
_i=0; while ! grep -q "enter the code $USER_CODE" "$T/setup.out" && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
printf '%s\n' "$USER_CODE" > "$EP/token.approved"	# the user approves in a browser
wait "$SETUP"
assert_eq "relayq-setup --oauth2: exit 0" 0 $?
TF=$D/oauth2/$ME
assert_grep "the token file has the first access token" "^access_token $AT1$" "$TF"
assert_grep "relayq.conf names the provider's server" "^smarthost *smtp.office365.com:587$" "$D/relayq.conf"

# --- 2. relayqd sends with what relayq-setup wrote --------------------------
RQ=$T/rq; rq_setup "$RQ" 1
grep -v '^smarthost' "$RQ/relayq.conf" >> "$D/relayq.conf"
send() { printf 'Subject: %s\n\nx\n' "$1" | "$BUILD/sendmail" -C "$D/relayq.conf" -f "$ME" -i "$1"; }
sent() { grep -l "^RCPT TO:<$1>" "$T/smtp"/msg.* 2>/dev/null | head -n 1; }
send one@example.net
"$BUILD/relayqd" -C "$D/relayq.conf" -q
check "first message delivered with the token from the sign-in" [ -n "$(sent one@example.net)" ]
assert_grep "over TLS, with AUTH XOAUTH2" "C: AUTH XOAUTH2" "$T/smtp/transcript.log"

# --- 3. the access token expires: relayqd refreshes it by itself -------------
printf '%s\n' '#!refresh-token' "client_id $CLIENT" "valid_refresh $RT1" "access_token $AT2" \
	"expires_in 3600" "rotate $RT2" > "$EP/token"
smtp_server "$AT2"	# the old token is no longer accepted
sed -i "s/^expires .*/expires $(($(date +%s) - 10))/" "$TF"	# an hour later
send two@example.net
"$BUILD/relayqd" -C "$D/relayq.conf" -q
check "after the expiry: delivered with a refreshed token" [ -n "$(sent two@example.net)" ]
assert_grep "the new access token is stored" "^access_token $AT2$" "$TF"
assert_grep "the rotated refresh token is stored" "^refresh_token $RT2$" "$TF"
assert_eq "the token file stays relayq's, 0600" "relayq 600" "$(stat -c '%U %a' "$TF")"
assert_eq "nothing left queued" 0 "$(rq_queued "$RQ")"
finish
