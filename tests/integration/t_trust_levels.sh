# t_trust_levels: the setgid submitter links no crypto, SASL, DB or curl
# library (ARCHITECTURE: three programs, three trust levels).
. "$TOP/tests/integration/lib.sh"

ldd "$BUILD/sendmail" > "$T/ldd.sendmail"
for lib in libssl libcrypto libsasl2 libdb libcurl libexpat; do
	assert_no_grep "sendmail does not link $lib" "$lib" "$T/ldd.sendmail"
done
ldd "$BUILD/relayq-showq" > "$T/ldd.showq"
for lib in libssl libcrypto libsasl2 libdb libcurl libexpat; do
	assert_no_grep "relayq-showq does not link $lib" "$lib" "$T/ldd.showq"
done
ldd "$BUILD/relayqd" > "$T/ldd.relayqd"
assert_grep "relayqd links libc (ldd works)" "libc.so" "$T/ldd.relayqd"
ldd "$BUILD/relayq-makemap" > "$T/ldd.makemap"
assert_no_grep "relayq-makemap does not link libssl" "libssl" "$T/ldd.makemap"
assert_grep "relayqd links libssl" "libssl" "$T/ldd.relayqd"
assert_grep "relayqd links libsasl2" "libsasl2" "$T/ldd.relayqd"
ldd "$BUILD/relayqd" "$BUILD/relayq-makemap" > "$T/ldd.both"
assert_no_grep "only relayq-setup links libcurl" "libcurl" "$T/ldd.both"
assert_no_grep "only relayq-setup links expat" "libexpat" "$T/ldd.both"
ldd "$BUILD/relayq-setup" > "$T/ldd.setup"
assert_grep "relayq-setup links libcurl" "libcurl" "$T/ldd.setup"
# relayqd runs the OAuth2 refresh helper instead of linking libcurl.
ldd "$BUILD/relayq-oauth2-refresh" > "$T/ldd.refresh"
assert_grep "relayq-oauth2-refresh links libcurl" "libcurl" "$T/ldd.refresh"
readelf -d "$BUILD/relayq-oauth2-refresh" | grep NEEDED > "$T/needed.refresh"
for lib in libsasl2 libdb libexpat; do	# itself: libcurl's own may
	assert_no_grep "relayq-oauth2-refresh does not link $lib" "$lib" "$T/needed.refresh"
done
# users_of PATTERN: the source files (src, maps, tools) that include it.
users_of() {
	( cd "$TOP" && grep -l "^#include <$1" src/*/*.[ch] maps/*.[ch] tools/*.[ch] tools/setup/*.[ch] )
}
assert_eq "exactly one source file includes OpenSSL" "src/smtp/tls.c" "$(users_of openssl/ | tr '\n' ' ' | sed 's/ $//')"
assert_eq "exactly one source file includes libsasl2" "src/smtp/sasl.c" "$(users_of sasl/ | tr '\n' ' ' | sed 's/ $//')"
assert_eq "only the map library includes Berkeley DB" "maps/map_db.c" "$(users_of db.h | tr '\n' ' ' | sed 's/ $//')"
assert_eq "one source file per program includes libcurl (setup, the OAuth2 refresh helper)" \
	"src/oauth2/http.c tools/setup/fetch.c" "$(users_of curl/ | tr '\n' ' ' | sed 's/ $//')"
assert_eq "exactly one source file includes expat" "tools/setup/autoconfig.c" "$(users_of expat | tr '\n' ' ' | sed 's/ $//')"
assert_eq "exactly one source file uses libresolv" "tools/setup/dns.c" "$(users_of resolv.h | tr '\n' ' ' | sed 's/ $//')"
finish
