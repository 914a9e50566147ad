# tlslib.sh: throwaway certificates for TLS tests (source after lib.sh).
#   tls_make_ca DIR                 DIR/ca.pem, DIR/ca.key
#   tls_make_cert DIR NAME SAN      DIR/NAME.pem/.key signed by the CA
#   tls_make_selfsigned DIR NAME SAN
#   tls_fingerprint FILE.pem        sha256:<hex of the DER's SHA-256>
# SAN as openssl wants it ("DNS:localhost,IP:127.0.0.1"); the CN is the
# first name in it.  openssl's chatter goes to DIR/openssl.log.

_tls_cn() { echo "$1" | sed 's/^[A-Z]*:\([^,]*\).*/\1/'; }
_tls_ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"

tls_make_ca() {
	# shellcheck disable=SC2086
	openssl req -x509 $_tls_ec -keyout "$1/ca.key" -out "$1/ca.pem" -days 2 \
		-subj "/CN=relayq test CA" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign >>"$1/openssl.log" 2>&1
}

tls_make_cert() {
	printf '%s\n' "subjectAltName=$3" "basicConstraints=CA:FALSE" \
		"extendedKeyUsage=serverAuth" > "$1/$2.ext"
	# shellcheck disable=SC2086
	openssl req $_tls_ec -keyout "$1/$2.key" -out "$1/$2.csr" \
		-subj "/CN=$(_tls_cn "$3")" >>"$1/openssl.log" 2>&1 &&
	openssl x509 -req -in "$1/$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" \
		-CAcreateserial -out "$1/$2.pem" -days 2 -extfile "$1/$2.ext" \
		>>"$1/openssl.log" 2>&1
}

tls_make_selfsigned() {
	# shellcheck disable=SC2086
	openssl req -x509 $_tls_ec -keyout "$1/$2.key" -out "$1/$2.pem" -days 2 \
		-subj "/CN=$(_tls_cn "$3")" -addext "subjectAltName=$3" \
		>>"$1/openssl.log" 2>&1
}

tls_fingerprint() {
	openssl x509 -noout -fingerprint -sha256 -in "$1" |
		sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' | sed 's/^/sha256:/'
}
