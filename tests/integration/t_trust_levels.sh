# t_trust_levels: the setgid submitter links no crypto, SASL, DB or curl
# library (ARCHITECTURE: three programs, three trust levels).
. "$TOP/tests/integration/lib.sh"

ldd "$BUILD/sendmail" > "$T/ldd.sendmail"
for lib in libssl libcrypto libsasl2 libdb libcurl; do
	assert_no_grep "sendmail does not link $lib" "$lib" "$T/ldd.sendmail"
done
ldd "$BUILD/relayqd" > "$T/ldd.relayqd"
assert_grep "relayqd links libc (ldd works)" "libc.so" "$T/ldd.relayqd"
ldd "$BUILD/relayq-makemap" > "$T/ldd.makemap"
assert_no_grep "relayq-makemap does not link libssl" "libssl" "$T/ldd.makemap"
for f in src/*.c maps/*.c tools/*.c; do
	grep -l '#include <openssl/' "$TOP"/$f 2>/dev/null
done | sed "s|$TOP/||" | sort -u > "$T/ssl-users"
check "at most one file in src/ includes OpenSSL" [ "$(grep -c '^src/' "$T/ssl-users")" -le 1 ]
finish
