# t_version: --help and --version on every program.  --version names the
# version, the TLS library (or why there is none: sendmail, relayq-showq
# and relayq-makemap link no OpenSSL), the SASL mechanisms libsasl2 offers
# (relayqd, relayq-setup), Berkeley DB where linked, and the compiled-in
# paths, as msmtp's does.
. "$TOP/tests/integration/lib.sh"

version=$(sed -n 's/^VERSION *:= *//p' "$TOP/Makefile")
for p in sendmail relayqd relayq-showq relayq-makemap relayq-setup; do
	"$BUILD/$p" --version > "$T/$p.version" 2> "$T/$p.err"
	assert_eq "$p --version: exit 0" 0 $?
	assert_eq "$p --version: first line" "relayq $version ($p)" "$(head -n 1 "$T/$p.version")"
	assert_grep "$p --version: configuration file" "^Configuration file: /.*/relayq.conf$" "$T/$p.version"
	assert_grep "$p --version: spool" "^Spool directory (default): /var/spool/relayq$" "$T/$p.version"
	assert_grep "$p --version: helper directory" "^Helper directory: /" "$T/$p.version"
	"$BUILD/$p" --help > "$T/$p.help" 2>&1
	assert_eq "$p --help: exit 0" 0 $?
	assert_grep "$p --help: usage on stdout" "^[Uu]sage: " "$T/$p.help"
	assert_grep "$p --help: mentions --version" "--version" "$T/$p.help"
done
openssl=$(openssl version | cut -d' ' -f2)
for p in relayqd relayq-setup; do
	assert_grep "$p --version: the OpenSSL it runs with" "^TLS library: OpenSSL $openssl" "$T/$p.version"
	assert_grep "$p --version: libsasl2" "^SASL library: Cyrus SASL 2\." "$T/$p.version"
	assert_grep "$p --version: SASL mechanisms from the plugins" \
		"^SASL mechanisms available: .*PLAIN.*SCRAM-SHA-256" "$T/$p.version"
	assert_grep "$p --version: Berkeley DB" "^Map library: Berkeley DB 5\.3" "$T/$p.version"
done
for p in sendmail relayq-showq relayq-makemap; do
	assert_grep "$p --version: says it links no TLS library" "^TLS library: none ($p links no TLS library" "$T/$p.version"
	assert_no_grep "$p --version: no SASL line" "^SASL" "$T/$p.version"
done
assert_grep "relayq-makemap --version: Berkeley DB" "^Map library: Berkeley DB 5\.3" "$T/relayq-makemap.version"
assert_grep "sendmail --version: points at relayqd for TLS" "relayqd --version" "$T/sendmail.version"
# mailq and newaliases are sendmail.
ln -s "$BUILD/sendmail" "$T/mailq"
"$T/mailq" --version > "$T/mailq.version"
assert_eq "mailq --version" "relayq $version (sendmail)" "$(head -n 1 "$T/mailq.version")"
# A bad option is still a usage error, on stderr.
for p in relayqd relayq-makemap relayq-showq; do
	"$BUILD/$p" --bogus > "$T/$p.bad" 2> "$T/$p.bad.err"
	assert_eq "$p --bogus: exit 64" 64 $?
	assert_grep "$p --bogus: usage on stderr" "sage: " "$T/$p.bad.err"
done
finish
