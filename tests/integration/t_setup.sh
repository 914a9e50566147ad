# t_setup: relayq-setup against a local test ISP — autoconfig documents
# served over HTTPS by httpsd, SRV and MX answers from dnsmasq, and the
# real Postfix (Cyrus SASL, STARTTLS and implicit TLS) as the submission
# server.  Every name is sent to loopback with --connect-to/--only-mapped,
# so nothing leaves the machine.  Runs under setsid: no terminal, so no
# prompt can be answered and consent must come from --yes.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/tlslib.sh"

PF=$T/pf; PORT=$(free_port)
PF_TLS_SAN="DNS:smtp.isp.example,DNS:smtp.work.example,DNS:mail.srvonly.example,DNS:smtp.hoster.example,DNS:smtp.ispdbonly.example,DNS:smtp.hoster.co.uk" \
	postfix_start "$PF" "$PORT" authtls || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
SPORT=$(postfix_smtps_port "$PF")
CA=$(postfix_ca "$PF")

# The web side: one server for the good names (cert from Postfix's CA),
# one with a self-signed certificate.
W=$T/www; mkdir -p "$W"
tls_make_cert "$PF/tls" web "DNS:autoconfig.isp.example,DNS:autoconfig.work.example,DNS:autoconfig.mail.hoster.example,DNS:autoconfig.malformed.example,DNS:autoconfig.slow.example,DNS:autoconfig.huge.example,DNS:autoconfig.oauth.example,DNS:autoconfig.plain.example,DNS:ispdb.test,DNS:autoconfig.srvonly.example,DNS:autoconfig.nothing.example,DNS:autoconfig.hoster.co.uk" &&
	tls_make_selfsigned "$T" self "DNS:autoconfig.badcert.example" ||
	{ not_ok "web certificates"; finish; }
HPORT=$(free_port)
"$BUILD/httpsd" -p "$HPORT" -r "$W" -c "$PF/tls/web.pem" -k "$PF/tls/web.key" -l "$T/http.log" &
at_exit "kill $!"
BPORT=$(free_port)
"$BUILD/httpsd" -p "$BPORT" -r "$W" -c "$T/self.pem" -k "$T/self.key" -l "$T/http-bad.log" &
at_exit "kill $!"
DPORT=$(free_port)
dnsmasq --keep-in-foreground --port="$DPORT" --listen-address=127.0.0.1 \
	--bind-interfaces --no-resolv --no-hosts --conf-file=/dev/null \
	--user=nobody --group=nogroup --local=/example/ --local=/test/ --local=/uk/ \
	--pid-file="$T/dnsmasq.pid" --log-facility="$T/dnsmasq.log" --log-queries \
	--srv-host=_submission._tcp.srvonly.example,mail.srvonly.example,587,10,0 \
	--srv-host=_submissions._tcp.srvonly.example,.,0,0,0 \
	--mx-host=mxonly.example,mx1.mail.hoster.example,10 \
	--mx-host=mxuk.example,mx1.eu.hoster.co.uk,10 &
at_exit "kill $!"
wait_port "$HPORT" && wait_port "$BPORT" && wait_port "$DPORT" ||
	{ not_ok "httpsd and dnsmasq listen"; finish; }

# An autoconfig document for DOMAIN: ac_doc FILE SERVER-XML...
ac_doc() {
	_f=$1; shift
	mkdir -p "$(dirname "$_f")"
	{
		echo '<?xml version="1.0" encoding="UTF-8"?>'
		echo '<clientConfig version="1.1"><emailProvider id="test">'
		echo '<domain>test</domain><displayName>Test ISP</displayName>'
		echo '<incomingServer type="imap"><hostname>imap.isp.example</hostname><port>993</port><socketType>SSL</socketType></incomingServer>'
		printf '%s\n' "$@"
		echo '</emailProvider></clientConfig>'
	} > "$_f"
}
smtp_xml() { # HOST PORT SOCKET AUTH [USERNAME]
	echo "<outgoingServer type=\"smtp\"><hostname>$1</hostname><port>$2</port><socketType>$3</socketType><authentication>$4</authentication><username>${5:-%EMAILLOCALPART%}</username></outgoingServer>"
}
ac_doc "$W/autoconfig.isp.example/mail/config-v1.1.xml" \
	"$(smtp_xml smtp.isp.example 465 SSL password-cleartext)" \
	"$(smtp_xml smtp.isp.example 587 STARTTLS password-cleartext)"
ac_doc "$W/autoconfig.work.example/mail/config-v1.1.xml" \
	"$(smtp_xml smtp.work.example 587 STARTTLS password-cleartext workuser)"
ac_doc "$W/autoconfig.mail.hoster.example/mail/config-v1.1.xml" \
	"$(smtp_xml smtp.hoster.example 587 STARTTLS password-encrypted %EMAILADDRESS%)"
# co.uk is a public suffix: the base domain of eu.hoster.co.uk is hoster.co.uk
ac_doc "$W/autoconfig.hoster.co.uk/mail/config-v1.1.xml" \
	"$(smtp_xml smtp.hoster.co.uk 587 STARTTLS password-cleartext %EMAILADDRESS%)"
ac_doc "$W/ispdb.test/v1.1/ispdbonly.example" \
	"$(smtp_xml smtp.ispdbonly.example 465 SSL password-cleartext)"
ac_doc "$W/autoconfig.oauth.example/mail/config-v1.1.xml" \
	"$(smtp_xml smtp.oauth.example 465 SSL OAuth2)" '<oAuth2><issuer>x</issuer></oAuth2>'
ac_doc "$W/autoconfig.plain.example/mail/config-v1.1.xml" \
	"$(smtp_xml smtp.plain.example 25 plain password-cleartext)"
mkdir -p "$W/autoconfig.malformed.example/mail" "$W/autoconfig.slow.example/mail" \
	"$W/autoconfig.huge.example/mail"
printf '<?xml version="1.0"?>\n<clientConfig><emailProvider>\n<outgoingServer type="smtp"><hostname>x</oops>\n' \
	> "$W/autoconfig.malformed.example/mail/config-v1.1.xml"
echo '#!stall' > "$W/autoconfig.slow.example/mail/config-v1.1.xml"
echo '#!huge' > "$W/autoconfig.huge.example/mail/config-v1.1.xml"

MAPS="--only-mapped --dns-server 127.0.0.1:$DPORT --tls-ca $CA --ispdb https://ispdb.test/v1.1/"
for h in autoconfig.isp.example autoconfig.work.example autoconfig.mail.hoster.example autoconfig.malformed.example \
	autoconfig.slow.example autoconfig.huge.example autoconfig.oauth.example \
	autoconfig.plain.example ispdb.test autoconfig.srvonly.example autoconfig.nothing.example \
	autoconfig.hoster.co.uk; do
	MAPS="$MAPS --connect-to $h:443:127.0.0.1:$HPORT"
done
MAPS="$MAPS --connect-to autoconfig.badcert.example:443:127.0.0.1:$BPORT"
for h in smtp.isp.example smtp.work.example smtp.hoster.example smtp.ispdbonly.example mail.srvonly.example \
	smtp.hoster.co.uk; do
	MAPS="$MAPS --connect-to $h:587:127.0.0.1:$PORT --connect-to $h:465:127.0.0.1:$SPORT"
done

printf '%s\n' "$PF_SASL_PASS" > "$T/authinfo.pw"; chmod 600 "$T/authinfo.pw"
printf 'wrongpassword\n' > "$T/authinfo.wrong.pw"; chmod 600 "$T/authinfo.wrong.pw"
n=0
# setup OUT-NAME ARGS...: runs relayq-setup without a terminal; $rc, $O.
setup() {
	n=$((n + 1)); O=$T/out.$1; shift
	# shellcheck disable=SC2086
	setsid -w "$BUILD/relayq-setup" $MAPS "$@" > "$O" 2>&1 < /dev/null
	rc=$?
}

# --- autoconfig found: dry run prints, writes nothing
D=$T/dry; mkdir -p "$D"
setup dry --dry-run -C "$D/relayq.conf" --password-file "$T/authinfo.pw" testuser@isp.example
assert_eq "dry run: exit 0" 0 "$rc"
assert_grep "dry run: every step printed" '^\[1/6\] autoconfig' "$O"
assert_grep "dry run: autoconfig document found" "found 2 outgoing servers of Test ISP" "$O"
assert_grep "dry run: implicit TLS verified" "smtp.isp.example:465 (implicit TLS): works — version=TLSv1.[23], verify=OK" "$O"
assert_grep "dry run: STARTTLS verified" "smtp.isp.example:587 (STARTTLS): works — version=TLSv1.[23], verify=OK" "$O"
assert_grep "dry run: logged in through libsasl2" "Logging in to smtp.isp.example:465 as testuser ... ok, AUTH " "$O"
assert_grep "dry run: shows the config" "^smarthost *smtp.isp.example:465$" "$O"
assert_grep "dry run: implicit TLS chosen" "^tls *smtps$" "$O"
assert_grep "dry run: authinfo entry, password redacted" '^AuthInfo:smtp.isp.example "U:testuser" "I:testuser" "P:\*\*\*"$' "$O"
assert_grep "dry run: says nothing written" "Dry run: nothing written" "$O"
check "dry run: no file written" test ! -e "$D/relayq.conf" -a ! -e "$D/authinfo"
assert_grep "dry run: emailaddress sent to the autoconfig host" \
	"^autoconfig.isp.example GET /mail/config-v1.1.xml?emailaddress=testuser%40isp.example$" "$T/http.log"
sed 's/^/# /' "$O"   # the transcript, for the record

# --- the real thing, then --test: the message arrives through Postfix
D=$T/new; mkdir -p "$D"
setup new -C "$D/relayq.conf" --password-file "$T/authinfo.pw" --test testuser@isp.example
assert_eq "write: exit 0" 0 "$rc"
assert_grep "write: relayq.conf has the smarthost" "^smarthost *smtp.isp.example:465$" "$D/relayq.conf"
assert_grep "write: relayq.conf has the map" "^authinfo *hash:$D/authinfo$" "$D/relayq.conf"
assert_grep "write: relayq.conf trusts the given CA" "^tls_ca *$CA$" "$D/relayq.conf"
assert_eq "write: authinfo source is 0600" 600 "$(stat -c %a "$D/authinfo")"
"$BUILD/relayq-makemap" -A smtp.isp.example hash "$D/authinfo" > "$T/check.out" 2>&1
assert_grep "write: relayq-makemap -A finds the entry" "^matched: authinfo:smtp.isp.example$" "$T/check.out"
assert_grep "write: with the right user" "^I:testuser" "$T/check.out"
assert_grep "write: --test accepted" "accepted: 250 " "$O"
m=$(postfix_wait_mail "$PF" 1 && grep -l '^Subject: relayq-setup test message' "$PF"/mail/*.eml | head -n 1)
if [ -n "$m" ] && [ "$(postfix_env "$m" sasl_username)" = "$PF_SASL_USER" ]; then
	ok "write: test message arrived, sent with AUTH as $PF_SASL_USER"
else
	not_ok "write: test message arrived with AUTH"
fi
{ cat "$D/relayq.conf"; echo "spool $D/spool"; echo "log_file $D/relayq.log"; } > "$D/check.conf"
"$BUILD/relayqd" -C "$D/check.conf" -I > "$T/conf-check.out" 2>&1
assert_eq "write: relayqd reads the written config" "0 " "$? $(cat "$T/conf-check.out")"

# --- a second account: --add-sender routes Bob@Work.example through its
# own provider with its own login.  relayq.conf only gains sender_relay,
# authinfo gains the sender-qualified entry, the first account's lines stay.
postfix_add_user "$PF" workuser 'Work9pw' || not_ok "sasldb2 user workuser"
add_secret Work9pw
printf 'Work9pw\n' > "$T/authinfo.work.pw"; chmod 600 "$T/authinfo.work.pw"
cp "$D/relayq.conf" "$T/first.conf"; cp "$D/authinfo" "$T/authinfo.first"
setup work-dry --dry-run -C "$D/relayq.conf" --password-file "$T/authinfo.work.pw" --add-sender Bob@Work.example
assert_eq "second account, dry run: exit 0" 0 "$rc"
assert_grep "second account, dry run: logged in as its own user" \
	"Logging in to smtp.work.example:587 as workuser ... ok, AUTH " "$O"
assert_grep "second account, dry run: the sender-qualified entry, password redacted" \
	'^AuthInfo:smtp.work.example/bob@work.example "U:workuser" "I:workuser" "P:\*\*\*"$' "$O"
assert_grep "second account, dry run: the route" \
	"^bob@work.example smtp.work.example:587 tls=starttls$" "$O"
assert_no_grep "second account, dry run: no password shown" "Work9pw" "$O"
check "second account, dry run: nothing written" cmp -s "$D/relayq.conf" "$T/first.conf"
check "second account, dry run: no sender_relay written" test ! -e "$D/sender_relay"
setup work-keep -C "$D/relayq.conf" --password-file "$T/authinfo.work.pw" --add-sender Bob@Work.example
assert_eq "second account: existing files not changed without consent (exit 1)" 1 "$rc"
assert_grep "second account: the diff adds sender_relay" "^+sender_relay *hash:$D/sender_relay$" "$O"
assert_grep "second account: the diff adds the entry, password redacted" \
	'^+AuthInfo:smtp.work.example/bob@work.example "U:workuser" "I:workuser" "P:\*\*\*"$' "$O"
assert_no_grep "second account: the diff removes nothing" '^-[^-]' "$O"
assert_grep "second account: the new sender_relay source shown too" \
	"^--- $D/sender_relay (new), then built into hash:$D/sender_relay$" "$O"
assert_grep "second account: ... with the route" "^bob@work.example smtp.work.example:587 tls=starttls$" "$O"
sed 's/^/# /' "$O"   # the transcript, for the record
setup work -C "$D/relayq.conf" --password-file "$T/authinfo.work.pw" --yes --add-sender Bob@Work.example
assert_eq "second account: --yes writes (exit 0)" 0 "$rc"
{ cat "$T/first.conf"; echo "# relayq-setup, $(date +%Y-%m-%d): Bob@Work.example"
  echo "sender_relay    hash:$D/sender_relay"
} > "$T/want.conf"
check "second account: relayq.conf is the first one, a comment and sender_relay" \
	cmp -s "$D/relayq.conf" "$T/want.conf"
{ cat "$T/authinfo.first"
  echo 'AuthInfo:smtp.work.example/bob@work.example "U:workuser" "I:workuser" "P:Work9pw"'
} > "$T/authinfo.want"
check "second account: authinfo is the first account's entry and the new one" \
	cmp -s "$D/authinfo" "$T/authinfo.want"
printf '# sender_relay of relayq.conf(5), by relayq-setup: envelope sender, relays\nbob@work.example smtp.work.example:587 tls=starttls\n' \
	> "$T/want.sender_relay"
check "second account: sender_relay source, exactly" cmp -s "$D/sender_relay" "$T/want.sender_relay"
assert_eq "second account: modes authinfo, its map, sender_relay, its map" "600 640 644 640" \
	"$(stat -c %a "$D/authinfo" "$D/authinfo.db" "$D/sender_relay" "$D/sender_relay.db" | tr '\n' ' ' | sed 's/ $//')"
"$BUILD/relayq-makemap" -u hash "$D/sender_relay" > "$T/routes.dump" 2>&1
assert_grep "second account: the sender_relay map holds the route" \
	"^bob@work.example[[:space:]]*smtp.work.example:587 tls=starttls$" "$T/routes.dump"
"$BUILD/relayq-makemap" -A smtp.isp.example hash "$D/authinfo" > "$T/check.out" 2>&1
assert_grep "second account: the first account's entry is still found" "^matched: authinfo:smtp.isp.example$" "$T/check.out"
assert_grep "second account: ... with its own user" "^I:testuser" "$T/check.out"
"$BUILD/relayq-makemap" -A smtp.work.example/bob@work.example hash "$D/authinfo" > "$T/check.out" 2>&1
assert_grep "second account: the map has the sender-qualified entry" \
	"^matched: authinfo:smtp.work.example/bob@work.example$" "$T/check.out"
assert_grep "second account: ... with the second user" "^I:workuser" "$T/check.out"
{ cat "$D/relayq.conf"; echo "spool $D/spool"; echo "log_file $D/relayq.log"; } > "$D/check.conf"
"$BUILD/relayqd" -C "$D/check.conf" -I > "$T/conf-check.out" 2>&1
assert_eq "second account: relayqd reads the written config" "0 " "$? $(cat "$T/conf-check.out")"

# Twice: nothing changes, so no consent is needed and nothing differs.
# (Copies of authinfo are named authinfo* for the secret scan.)
for f in relayq.conf authinfo sender_relay; do cp "$D/$f" "$T/$f.second"; done
setup work-again -C "$D/relayq.conf" --password-file "$T/authinfo.work.pw" --add-sender bob@work.example
assert_eq "second account again: exit 0 without --yes (nothing changes)" 0 "$rc"
assert_no_grep "second account again: no diff" "These files exist and would change" "$O"
for f in relayq.conf authinfo sender_relay; do
	check "second account again: $f unchanged" cmp -s "$D/$f" "$T/$f.second"
done

# The first account set up again: the sender's lines stay.
setup first-again -C "$D/relayq.conf" --password-file "$T/authinfo.pw" --yes testuser@isp.example
assert_eq "first account again: exit 0" 0 "$rc"
check "first account again: relayq.conf unchanged, sender_relay kept" \
	cmp -s "$D/relayq.conf" "$T/relayq.conf.second"
check "first account again: authinfo unchanged, sender entry kept" \
	cmp -s "$D/authinfo" "$T/authinfo.second"
check "first account again: sender_relay untouched" cmp -s "$D/sender_relay" "$T/sender_relay.second"

# --- existing config: diff shown, no overwrite without consent, then --yes
D=$T/old; mkdir -p "$D"
printf '# mine\nsmarthost old.relay.example:25\nhostname laptop.example\ntls_fingerprint sha256:%064d\n' 0 > "$D/relayq.conf"
cp "$D/relayq.conf" "$T/old.conf"
setup keep -C "$D/relayq.conf" --password-file "$T/authinfo.pw" testuser@isp.example
assert_eq "existing: declined without a terminal (exit 1)" 1 "$rc"
assert_grep "existing: diff shows the old smarthost" "^-smarthost old.relay.example:25" "$O"
assert_grep "existing: diff shows the new smarthost" "^+smarthost *smtp.isp.example:465" "$O"
assert_grep "existing: says why nothing was written" "without consent" "$O"
check "existing: relayq.conf untouched" cmp -s "$D/relayq.conf" "$T/old.conf"
check "existing: no authinfo written" test ! -e "$D/authinfo"
setup replace -C "$D/relayq.conf" --password-file "$T/authinfo.pw" --yes testuser@isp.example
assert_eq "existing: --yes replaces (exit 0)" 0 "$rc"
assert_grep "existing: other lines kept" "^hostname laptop.example$" "$D/relayq.conf"
assert_no_grep "existing: the old pin is gone" "tls_fingerprint" "$D/relayq.conf"
assert_eq "existing: one smarthost line" 1 "$(grep -c '^smarthost' "$D/relayq.conf")"

# --- an authinfo source and map others can read: made 0600 before the
# new password goes in, and said so
D=$T/exposed; mkdir -p "$D"
printf 'AuthInfo:other.example "U:o" "P:keep"\n' > "$D/authinfo"
"$BUILD/relayq-makemap" hash "$D/authinfo" < "$D/authinfo"
chmod 644 "$D/authinfo" "$D/authinfo.db"
setup exposed -C "$D/relayq.conf" --password-file "$T/authinfo.pw" --yes testuser@isp.example
assert_eq "exposed source: exit 0" 0 "$rc"
assert_grep "exposed source: said so" "^Note: $D/authinfo has mode 0644 and group root, so others than root can read it; it gets mode 0600" "$O"
assert_grep "exposed map: said so" "^Note: $D/authinfo.db has mode 0644" "$O"
assert_eq "exposed source: now 0600" 600 "$(stat -c %a "$D/authinfo")"
assert_eq "exposed map: now 0600" 600 "$(stat -c %a "$D/authinfo.db")"
assert_grep "exposed source: other entry kept" '^AuthInfo:other.example "U:o" "P:keep"$' "$D/authinfo"

# --- diff is not looked up in $PATH: relayq-setup runs as root
mkdir -p "$T/evilbin"
printf '#!/bin/sh\ntouch "%s/evil-diff-ran"\n' "$T" > "$T/evilbin/diff"
chmod 755 "$T/evilbin/diff"
D=$T/pathdiff; mkdir -p "$D"
printf 'smarthost old.relay.example:25\n' > "$D/relayq.conf"
O=$T/out.pathdiff
# shellcheck disable=SC2086
PATH="$T/evilbin:$PATH" setsid -w "$BUILD/relayq-setup" $MAPS -C "$D/relayq.conf" \
	--password-file "$T/authinfo.pw" testuser@isp.example > "$O" 2>&1 < /dev/null
check "diff: the one in \$PATH is not run" test ! -e "$T/evil-diff-ran"
assert_grep "diff: still shown" "^-smarthost old.relay.example:25" "$O"

# --- a password ending in a backslash: written in base64, so the source
# and the map give back exactly its bytes (it used to be "P:Bs9pw\",
# whose \" does not end the item, reported as "login refused")
postfix_add_user "$PF" bsuser 'Bs9pw\' || not_ok "sasldb2 user bsuser"
add_secret Bs9pw
printf '%s\n' 'Bs9pw\' > "$T/authinfo.bs.pw"; chmod 600 "$T/authinfo.bs.pw"
for kind in hash text; do
	D=$T/bslash-$kind; mkdir -p "$D"
	setup "bslash-$kind" -C "$D/relayq.conf" --authinfo "$kind:$D/authinfo" \
		--password-file "$T/authinfo.bs.pw" --user bsuser testuser@isp.example
	assert_eq "password ending in \\ ($kind): exit 0" 0 "$rc"
	assert_grep "password ending in \\ ($kind): login accepted" "as bsuser ... ok, AUTH " "$O"
	assert_grep "password ending in \\ ($kind): written as base64" \
		'^AuthInfo:smtp.isp.example "U:bsuser" "I:bsuser" "P=QnM5cHdc"$' "$D/authinfo"
	"$BUILD/relayq-makemap" -A smtp.isp.example "$kind" "$D/authinfo" > "$T/bs-$kind.check" 2>&1
	assert_grep "password ending in \\ ($kind): the map gives back its 6 bytes" \
		'^P:<redacted, 6 bytes>$' "$T/bs-$kind.check"
done

# --- local problems are not "login refused": an empty password, and one
# whose entry would not fit an authinfo line (nothing sent, nothing written)
printf '\n' > "$T/authinfo.empty.pw"
setup emptypw -C "$T/emptypw.conf" --password-file "$T/authinfo.empty.pw" testuser@isp.example
assert_eq "empty password: exit 66 (EX_NOINPUT)" 66 "$rc"
assert_grep "empty password: said so" "authinfo.empty.pw: empty" "$O"
assert_no_grep "empty password: not called a refused login" "refused" "$O"
LONGPW="$(head -c 800 /dev/zero | tr '\0' L) "
postfix_add_user "$PF" longuser "$LONGPW" || not_ok "sasldb2 user longuser"
printf '%s\n' "$LONGPW" > "$T/authinfo.long.pw"; chmod 600 "$T/authinfo.long.pw"
D=$T/longpw; mkdir -p "$D"
setup longpw -C "$D/relayq.conf" --password-file "$T/authinfo.long.pw" --user longuser testuser@isp.example
assert_eq "over-long entry: exit 65 (EX_DATAERR)" 65 "$rc"
assert_grep "over-long entry: the reason" "more than the 1022 an authinfo source line may have; nothing was sent" "$O"
assert_no_grep "over-long entry: not called a refused login" "refused" "$O"
check "over-long entry: nothing written" test ! -e "$D/relayq.conf" -a ! -e "$D/authinfo"

# --- wrong password: reported, nothing written
D=$T/wrong; mkdir -p "$D"
setup wrong -C "$D/relayq.conf" --password-file "$T/authinfo.wrong.pw" testuser@isp.example
assert_eq "wrong password: exit 77 (EX_NOPERM)" 77 "$rc"
assert_grep "wrong password: the server's reply shown" "login refused — .*535" "$O"
check "wrong password: nothing written" test ! -e "$D/relayq.conf" -a ! -e "$D/authinfo"

# --- only SRV records: _submissions says "." (not offered), _submission works
setup srv --dry-run -C "$T/srv.conf" --password-file "$T/authinfo.pw" --user testuser testuser@srvonly.example
assert_eq "SRV only: exit 0" 0 "$rc"
assert_grep "SRV only: autoconfig absent" "not found: HTTP status 404" "$O"
assert_grep "SRV only: the . target means not offered" "(service not offered)" "$O"
assert_grep "SRV only: record found" "mail.srvonly.example port 587 (priority 10)" "$O"
assert_grep "SRV only: chosen with STARTTLS" "^Chosen: mail.srvonly.example:587 with STARTTLS" "$O"
assert_grep "SRV only: warns that SRV is unauthenticated" "came from a DNS SRV record" "$O"
assert_grep "SRV only: warned before the login" "^Note: mail.srvonly.example came from a DNS SRV record" "$O"

# --- only MX: mx1.mail.hoster.example -> autoconfig.mail.hoster.example
setup mx --dry-run -C "$T/mx.conf" --password-file "$T/authinfo.pw" --user testuser testuser@mxonly.example
assert_eq "MX only: exit 0" 0 "$rc"
assert_grep "MX only: MX host and its provider domain" "mx1.mail.hoster.example, provider domain mail.hoster.example" "$O"
assert_grep "MX only: chosen from the provider's document" "^Chosen: smtp.hoster.example:587 with STARTTLS" "$O"
assert_grep "MX only: warns that MX is unauthenticated, as for SRV" \
	"^Note: smtp.hoster.example came from a DNS MX record, which DNS can forge" "$O"

# --- MX host under a two-label public suffix: mx1.eu.hoster.co.uk.  The
# base domain is hoster.co.uk (Public Suffix List), never co.uk, whose
# owner would learn the address from the autoconfig query.
setup mxuk --dry-run -C "$T/mxuk.conf" --password-file "$T/authinfo.pw" --user testuser testuser@mxuk.example
sed 's/^/# /' "$O"
assert_grep "co.uk: MX host and its provider domain" "mx1.eu.hoster.co.uk, provider domain eu.hoster.co.uk" "$O"
assert_no_grep "co.uk: the public suffix is never asked" 'autoconfig\.co\.uk\|v1\.1/co\.uk' "$O"
if grep -q "base domain hoster.co.uk (Public Suffix List)" "$O"; then
	ok "co.uk: base domain hoster.co.uk from the Public Suffix List"
	assert_eq "co.uk: exit 0" 0 "$rc"
	assert_grep "co.uk: chosen from the base domain's document" "^Chosen: smtp.hoster.co.uk:587 with STARTTLS" "$O"
	assert_grep "co.uk: MX-derived, so warned" "^Note: smtp.hoster.co.uk came from a DNS MX record" "$O"
else
	# relayq-setup built without -lpsl: the guess needs the user's yes,
	# and there is no terminal to give it.
	assert_grep "co.uk: without a list the guessed base domain is not used unconfirmed" \
		"base domain co.uk not used: no Public Suffix List and not confirmed" "$O"
	ok "co.uk: base domain from the Public Suffix List # SKIP relayq-setup built without libpsl"
fi

# --- the ISP database
setup ispdb --dry-run -C "$T/ispdb.conf" --password-file "$T/authinfo.pw" testuser@ispdbonly.example
assert_eq "ISPDB: exit 0" 0 "$rc"
assert_grep "ISPDB: chosen from the database" "^Chosen: smtp.ispdbonly.example:465 with implicit TLS.*ISP database https://ispdb.test/v1.1/ispdbonly.example" "$O"

# --- nothing anywhere
setup nothing -C "$T/nothing.conf" --password-file "$T/authinfo.pw" alice@nothing.example
assert_eq "nothing found: exit 69 (EX_UNAVAILABLE)" 69 "$rc"
assert_grep "nothing found: all six steps tried" '^\[6/6\] common names' "$O"
assert_grep "nothing found: clear message" "found no working submission server for alice@nothing.example" "$O"
check "nothing found: nothing written" test ! -e "$T/nothing.conf"

# --- hostile documents and servers
setup malformed --dry-run -C "$T/x.conf" --no-password alice@malformed.example
assert_grep "malformed XML: ignored with the parser's reason" "ignored, not a usable autoconfig document: line [0-9]" "$O"
assert_eq "malformed XML: nothing else found (exit 69)" 69 "$rc"
setup slow --dry-run -C "$T/x.conf" --no-password --timeout 2 alice@slow.example
assert_grep "slow server: the time limit holds" "failed: no complete answer within 2 s" "$O"
setup huge --dry-run -C "$T/x.conf" --no-password alice@huge.example
assert_grep "huge response: the size limit holds" "failed: response larger than 262144 bytes" "$O"
setup badcert --dry-run -C "$T/x.conf" --no-password alice@badcert.example
assert_grep "untrusted autoconfig certificate: refused" "failed: .*certificate" "$O"
assert_eq "untrusted autoconfig certificate: nothing used (exit 69)" 69 "$rc"
setup oauth --dry-run -C "$T/x.conf" --no-password alice@oauth.example
assert_eq "OAuth2 provider: exit 69" 69 "$rc"
assert_grep "OAuth2 provider: said plainly" "wants OAuth2 sign-in, which relayq cannot do yet" "$O"
setup plain -C "$T/x.conf" --password-file "$T/authinfo.pw" alice@plain.example
assert_eq "plaintext-only provider: exit 69" 69 "$rc"
assert_grep "plaintext-only provider: refused" "only offers submission without TLS" "$O"
check "hostile cases: nothing written" test ! -e "$T/x.conf"

finish
