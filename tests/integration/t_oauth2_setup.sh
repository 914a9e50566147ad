# t_oauth2_setup: relayq-setup --oauth2 against a local test provider —
# the OAuth 2.0 device authorization grant (RFC 8628) from httpsd
# (#!device-authorization, #!device-token), the submission server played
# by faultd (STARTTLS, AUTH XOAUTH2 after TLS).  The built-in Microsoft
# entry is used for real: login.microsoftonline.com and smtp.office365.com
# are sent to loopback with --connect-to/--only-mapped and their
# certificates come from a test CA, so nothing leaves the machine.  The
# test plays the user: it reads the code relayq-setup prints and approves
# it at httpsd.  Runs under setsid: no terminal.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/tlslib.sh"

AT=AT-oauth2-access-7Qk3 RT=RT-oauth2-refresh-9Zp4 DC=DC-device-code-5Mw8
add_secret "$AT"; add_secret "$RT"; add_secret "$DC"
CLIENT=relayq-test-client USER_CODE=BCDF-GHJK
SCOPE='https://outlook.office.com/SMTP.Send offline_access'

C=$T/certs; mkdir -p "$C"
tls_make_ca "$C" && tls_make_cert "$C" login "DNS:login.microsoftonline.com" &&
	tls_make_cert "$C" smtp "DNS:smtp.office365.com" || { not_ok "test certificates"; finish; }

# The provider's web side lives outside $T: its scripts hold the tokens,
# and $T is scanned for them at the end.
W=$(mktemp -d /tmp/relayq-oauth2-www.XXXXXX); at_exit "rm -rf $W"
EP=$W/login.microsoftonline.com/common/oauth2/v2.0; mkdir -p "$EP"
HPORT=$(free_port)
"$BUILD/httpsd" -p "$HPORT" -r "$W" -c "$C/login.pem" -k "$C/login.key" -l "$T/http.log" &
at_exit "kill $!"
F=$T/faultd; mkdir -p "$F"
printf 'starttls\nauth XOAUTH2\nauth-tls-only\nauth-bearer %s\n' "$AT" > "$W/faultd.script"
SPORT=$(free_port)
"$BUILD/faultd" -p "$SPORT" -o "$F" -s "$W/faultd.script" -c "$C/smtp.pem" -k "$C/smtp.key" &
at_exit "kill $!"
wait_port "$HPORT" && wait_port "$SPORT" || { not_ok "httpsd and faultd listen"; finish; }

# device_endpoint [EXTRA-JSON] [EXPIRES]: the device endpoint's script.
device_endpoint() {
	{
		echo '#!device-authorization'
		echo "client_id $CLIENT"
		echo "scope $SCOPE"
		echo "response {\"device_code\":\"$DC\",\"user_code\":\"$USER_CODE\",\"verification_uri\":\"https://microsoft.com/devicelogin\",\"expires_in\":${2:-900},\"interval\":1${1:-}}"
	} > "$EP/devicecode"
}
# token_endpoint POLL...: the token endpoint's script, one answer a poll.
token_endpoint() {
	{
		echo '#!device-token'
		echo "client_id $CLIENT"
		echo "device_code $DC"
		echo "user_code $USER_CODE"
		echo "access_token ${ISSUED_AT:-$AT}"
		echo "refresh_token $RT"
		echo "expires_in 3599"
		echo "scope $SCOPE"
		for _p in "$@"; do echo "poll $_p"; done
	} > "$EP/token"
	rm -f "$EP/token.polls" "$EP/token.approved"
}

MAPS="--only-mapped --tls-ca $C/ca.pem --timeout 10
	--connect-to login.microsoftonline.com:443:127.0.0.1:$HPORT
	--connect-to smtp.office365.com:587:127.0.0.1:$SPORT"
OA="--oauth2 --oauth2-issuer login.microsoftonline.com --client-id $CLIENT"
# setup OUT-NAME ARGS...: relayq-setup without a terminal; $rc, $O.
setup() {
	O=$T/out.$1; shift
	# shellcheck disable=SC2086
	setsid -w "$BUILD/relayq-setup" $MAPS "$@" > "$O" 2>&1 < /dev/null
	rc=$?
}

# --- without a client id: said how to get one, nothing asked of anyone
setup noclient --oauth2 -C "$T/x.conf" alice@outlook.com
assert_eq "no client id: exit 78 (EX_CONFIG)" 78 "$rc"
assert_grep "no client id: says to register one" "ships no OAuth2 client id: register an application" "$O"
# --- Gmail: Google refuses the device flow for its scope; said so
setup gmail --oauth2 --client-id x -C "$T/x.conf" bob@gmail.com
assert_eq "Gmail: exit 78" 78 "$rc"
assert_grep "Gmail: the reason and the way out" "Google refuses the device flow for Gmail's scope.*app password" "$O"
# --- an unknown provider without the overrides
setup unknown --oauth2 --client-id x -C "$T/x.conf" carol@nowhere.example
assert_eq "unknown provider: exit 78" 78 "$rc"
assert_grep "unknown provider: names the options" "no built-in provider for this address: give --oauth2-issuer" "$O"
check "refused early: nothing written" test ! -e "$T/x.conf" -a ! -e "$T/oauth2"
check "refused early: httpsd never asked" test ! -s "$T/http.log"

# --- dry run: server checked, no sign-in, the files shown
D=$T/dry; mkdir -p "$D"
device_endpoint; token_endpoint success
setup dry $OA --oauth2-dir "$D/oauth2" --dry-run -C "$D/relayq.conf" alice@outlook.example
assert_eq "dry run: exit 0" 0 "$rc"
assert_grep "dry run: STARTTLS verified, XOAUTH2 offered" \
	"smtp.office365.com:587 (STARTTLS): works — version=TLSv1.[23], verify=OK.*AUTH XOAUTH2" "$O"
assert_grep "dry run: no sign-in" "Dry run: no sign-in" "$O"
assert_grep "dry run: the entry with the token file" \
	"^AuthInfo:smtp.office365.com \"U:alice@outlook.example\" \"O:$D/oauth2/alice@outlook.example\" \"M:XOAUTH2\"$" "$O"
check "dry run: nothing written" test ! -e "$D/relayq.conf" -a ! -e "$D/oauth2"
check "dry run: no request to the device endpoint" test ! -s "$T/http.log"

# --- happy path: the user (this test) approves the code it was shown
D=$T/new; mkdir -p "$D"
device_endpoint ',"verification_uri_complete":"https://microsoft.com/devicelogin?otc=BCDF-GHJK"'
token_endpoint approval
O=$T/out.new
# shellcheck disable=SC2086
setsid -w "$BUILD/relayq-setup" $MAPS $OA --oauth2-dir "$D/oauth2" -C "$D/relayq.conf" \
	alice@outlook.example > "$O" 2>&1 < /dev/null &
pid=$!
i=0
while ! grep -q "enter the code $USER_CODE" "$O" 2>/dev/null && [ "$i" -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
code=$(sed -n 's/.*enter the code \([A-Z-]*\)).*/\1/p' "$O")
assert_eq "happy path: the user code shown" "$USER_CODE" "$code"
assert_grep "happy path: verification_uri_complete shown" \
	"open   https://microsoft.com/devicelogin?otc=BCDF-GHJK" "$O"
sleep 1.5
printf '%s\n' "$code" > "$EP/token.approved"
wait "$pid"; rc=$?
assert_eq "happy path: exit 0" 0 "$rc"
assert_grep "happy path: approved" "Waiting for the approval.* approved.$" "$O"
polls=$(wc -l < "$EP/token.polls")
check "happy path: polled while pending, then once more ($polls polls)" test "$polls" -ge 2
assert_grep "happy path: the last poll got the tokens" " success$" "$EP/token.polls"
TF=$D/oauth2/alice@outlook.example
assert_eq "token file: mode 0600" 600 "$(stat -c %a "$TF")"
assert_eq "token directory: mode 0700" 700 "$(stat -c %a "$D/oauth2")"
if id relayq >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	assert_eq "token file: owned by relayq" relayq "$(stat -c %U "$TF")"
else
	assert_eq "token file: owned by whoever ran it (no relayq user, or not root)" \
		"$(id -un)" "$(stat -c %U "$TF")"
fi
now=$(date +%s)
keys=$(grep -v '^#' "$TF" | cut -d' ' -f1 | tr '\n' ' ')
assert_eq "token file: its keys" \
	"token_endpoint client_id scope user ca_file refresh_token access_token expires " "$keys"
assert_grep "token file: user" "^user alice@outlook.example$" "$TF"
assert_grep "token file: token endpoint" \
	"^token_endpoint https://login.microsoftonline.com/common/oauth2/v2.0/token$" "$TF"
assert_grep "token file: client id" "^client_id $CLIENT$" "$TF"
assert_grep "token file: scope, the rest of the line" "^scope $SCOPE$" "$TF"
assert_grep "token file: refresh token" "^refresh_token $RT$" "$TF"
assert_grep "token file: access token" "^access_token $AT$" "$TF"
assert_grep "token file: the test CA (tests only)" "^ca_file $C/ca.pem$" "$TF"
exp=$(sed -n 's/^expires //p' "$TF")
check "token file: expires = now + 3599 s ($exp, now $now)" \
	test "$exp" -ge $((now + 3599 - 120)) -a "$exp" -le $((now + 3599))
assert_grep "happy path: AUTH XOAUTH2 verified with the new token" \
	"Logging in to smtp.office365.com:587 as alice@outlook.example with AUTH XOAUTH2 ... ok, AUTH XOAUTH2" "$O"
assert_grep "happy path: faultd saw AUTH XOAUTH2 after TLS" "C: AUTH XOAUTH2" "$F/transcript.log"
printf '%s\n' "# relayq.conf(5), written by relayq-setup on $(date +%Y-%m-%d) for alice@outlook.example at Microsoft." \
	"# Found: relayq-setup's OAuth2 providers." \
	"smarthost       smtp.office365.com:587" "tls             starttls" \
	"tls_ca          $C/ca.pem" "authinfo        hash:$D/authinfo" > "$T/want.conf"
check "happy path: relayq.conf, exactly" cmp -s "$D/relayq.conf" "$T/want.conf"
printf '%s\n' "AuthInfo:smtp.office365.com \"U:alice@outlook.example\" \"O:$TF\" \"M:XOAUTH2\"" \
	> "$T/want.authinfo"
check "happy path: authinfo, exactly" cmp -s "$D/authinfo" "$T/want.authinfo"
assert_eq "happy path: authinfo source and map modes" "600 640" \
	"$(stat -c %a "$D/authinfo" "$D/authinfo.db" | tr '\n' ' ' | sed 's/ $//')"
"$BUILD/relayq-makemap" -u hash "$D/authinfo" > "$T/map.dump" 2>&1
assert_grep "happy path: the map holds the entry" "^authinfo:smtp.office365.com" "$T/map.dump"
assert_grep "happy path: the form went to the endpoints" \
	"^login.microsoftonline.com POST /common/oauth2/v2.0/devicecode$" "$T/http.log"
sed 's/^/# /' "$O"   # the transcript, for the record

# --- authorization_pending, then slow_down: the interval grows by 5 s
D=$T/slow; mkdir -p "$D"
device_endpoint; token_endpoint pending pending slow_down success
setup slow $OA --oauth2-dir "$D/oauth2" --yes -C "$D/relayq.conf" alice@outlook.example
assert_eq "slow_down: exit 0 in the end" 0 "$rc"
assert_eq "slow_down: four polls" 4 "$(wc -l < "$EP/token.polls")"
assert_grep "slow_down: said" "(slow_down: polling every 6 s)" "$O"
gaps=$(awk 'NR > 1 { printf "%d ", ($2 - prev + 500) / 1000 } { prev = $2 }' "$EP/token.polls")
case $gaps in
"1 1 6 ") ok "slow_down: waits 1 s, 1 s, then 6 s (interval + 5)" ;;
*) not_ok "slow_down: waits 1 s, 1 s, then 6 s (got $gaps)" ;;
esac
check "slow_down: token file written" test -s "$D/oauth2/alice@outlook.example"

# --- expired_token: exit non-zero, clear message, nothing written
D=$T/expired; mkdir -p "$D"
device_endpoint; token_endpoint pending expired_token
setup expired $OA --oauth2-dir "$D/oauth2" --yes -C "$D/relayq.conf" alice@outlook.example
assert_eq "expired_token: exit 77 (EX_NOPERM)" 77 "$rc"
assert_grep "expired_token: clear message" "the code expired (expired_token) before the sign-in was approved; run relayq-setup --oauth2 again" "$O"
check "expired_token: nothing written" test ! -e "$D/relayq.conf" -a ! -e "$D/authinfo" -a ! -e "$D/oauth2"

# --- the code's own lifetime runs out while pending
D=$T/lifetime; mkdir -p "$D"
device_endpoint "" 2; token_endpoint pending
setup lifetime $OA --oauth2-dir "$D/oauth2" --yes -C "$D/relayq.conf" alice@outlook.example
assert_eq "code lifetime over: exit 77" 77 "$rc"
assert_grep "code lifetime over: said" "the code expired before the sign-in was approved" "$O"
check "code lifetime over: nothing written" test ! -e "$D/relayq.conf" -a ! -e "$D/oauth2"

# --- access_denied, and Microsoft's authorization_declined
for kind in access_denied declined; do
	D=$T/$kind; mkdir -p "$D"
	device_endpoint; token_endpoint "$kind"
	setup "$kind" $OA --oauth2-dir "$D/oauth2" --yes -C "$D/relayq.conf" alice@outlook.example
	assert_eq "$kind: exit 77" 77 "$rc"
	assert_grep "$kind: said" "the sign-in was declined" "$O"
	check "$kind: nothing written" test ! -e "$D/relayq.conf" -a ! -e "$D/oauth2"
done

# --- a client id the provider does not know: the device endpoint's error
D=$T/badclient; mkdir -p "$D"
device_endpoint; token_endpoint success
setup badclient --oauth2 --oauth2-issuer login.microsoftonline.com --client-id wrong-client \
	$MAPS --oauth2-dir "$D/oauth2" -C "$D/relayq.conf" alice@outlook.example
assert_eq "unknown client id: exit 77" 77 "$rc"
assert_grep "unknown client id: the provider's error" "refused: invalid_client" "$O"

# --- the server refuses the new token: nothing configured, said plainly
D=$T/refused; mkdir -p "$D"
ISSUED_AT=AT-not-for-this-server-3Hv; add_secret "$ISSUED_AT"
device_endpoint; token_endpoint success
setup refused $OA --oauth2-dir "$D/oauth2" --yes -C "$D/relayq.conf" alice@outlook.example
ISSUED_AT=
assert_eq "token refused by the server: exit 77" 77 "$rc"
assert_grep "token refused by the server: said" "smtp.office365.com refused the token for alice@outlook.example; relayq.conf and authinfo not written" "$O"
check "token refused by the server: no relayq.conf, no authinfo" test ! -e "$D/relayq.conf" -a ! -e "$D/authinfo"

# --- --add-sender with --oauth2: a route and a sender-qualified entry
D=$T/new
device_endpoint; token_endpoint success
cp "$D/relayq.conf" "$T/first.conf"
setup addsender $OA --oauth2-dir "$D/oauth2" --yes --add-sender -C "$D/relayq.conf" \
	Bob@Outlook.example
assert_eq "--add-sender: exit 0" 0 "$rc"
assert_grep "--add-sender: the route" "^bob@outlook.example smtp.office365.com:587 tls=starttls$" "$D/sender_relay"
assert_grep "--add-sender: the sender-qualified entry with its token file" \
	"^AuthInfo:smtp.office365.com/bob@outlook.example \"U:Bob@Outlook.example\" \"O:$D/oauth2/Bob@Outlook.example\" \"M:XOAUTH2\"$" "$D/authinfo"
assert_grep "--add-sender: the first entry kept" "^AuthInfo:smtp.office365.com \"U:alice@outlook.example\"" "$D/authinfo"
assert_eq "--add-sender: its own token file, 0600" 600 "$(stat -c %a "$D/oauth2/Bob@Outlook.example")"

# --- no token in what relayq-setup printed (the secret scan below covers
# every file in $T; the token files themselves go first)
for f in "$T"/out.*; do
	assert_no_grep "no token in $(basename "$f")" "$AT\|$RT\|$DC" "$f"
done
rm -rf "$T"/*/oauth2
finish
