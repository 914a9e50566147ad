# lib.sh: shared helpers for integration tests (sourced by each t_*.sh).
# Contract: a test script is run as `sh t_name.sh` with BUILD (absolute build
# dir holding the programs) and TOP (repo root) in the environment.  It prints
# "ok - what" / "not ok - what" per check and exits non-zero if any failed.
# Servers bind to 127.0.0.1 only and are stopped by the EXIT trap.

set -u
: "${BUILD:?BUILD must be set}" "${TOP:?TOP must be set}"
T=$(mktemp -d /tmp/relayq-test.XXXXXX)
chmod 755 "$T"
# relayqd, once it is the relayq user, runs helpers from beside itself
# (relayq-oauth2-refresh).  A checkout in a directory only root may enter
# (git clone into mktemp -d: 0700) hides them from that user, so the
# programs are then run from a copy in $T.
if [ "$(id -u)" = 0 ] && id relayq >/dev/null 2>&1 &&
    ! setpriv --reuid=relayq --regid=relayq --clear-groups test -x "$BUILD/relayqd"; then
	mkdir "$T/progs"
	find "$BUILD" -maxdepth 1 -type f -perm -u+x -exec cp -p {} "$T/progs/" \;
	BUILD=$T/progs
fi
_fails=0
_cleanups=""

at_exit() { _cleanups="$1
$_cleanups"; }
_run_cleanups() {
	echo "$_cleanups" | while IFS= read -r c; do [ -n "$c" ] && eval "$c" >/dev/null 2>&1; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap '_run_cleanups' EXIT
trap 'exit 130' INT TERM

ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; _fails=$((_fails + 1)); }
check()  { # check "description" command...
	_d=$1; shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}
assert_eq() { # assert_eq "description" expected actual
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
assert_grep() { # assert_grep "description" pattern file
	if grep -q -e "$2" "$3" 2>/dev/null; then ok "$1"; else not_ok "$1 (no '$2' in $3)"; fi
}
assert_no_grep() {
	if grep -q -e "$2" "$3" 2>/dev/null; then not_ok "$1 ('$2' found in $3)"; else ok "$1"; fi
}
finish() { scan_secrets; [ "$_fails" -eq 0 ]; exit $?; }

# Passwords the tests use; a test that invents another adds it here with
# add_secret.  finish() greps every file the test left in $T (logs, -v
# transcripts, queue files, the servers' logs and stored mail) for each,
# verbatim and base64-encoded at every byte alignment (PLAIN's and
# LOGIN's payloads), except the credential stores themselves (authinfo
# maps, sasldb2, and OAuth2 token files and the test provider's scripts,
# which a test keeps in directories named oauth2*).  Tokens count: a test
# with OAuth2 adds its access and refresh tokens.
SECRETS="testpass wrongpassword"
add_secret() { SECRETS="$SECRETS $1"; }
_secret_patterns() {
	for _s in $SECRETS; do
		echo "$_s"
		for _k in 0 1 2; do
			# With _k filler bytes in front, base64 characters
			# from..to encode password bits only.
			_b=$( (printf 'xx' | head -c "$_k"; printf '%s' "$_s") | base64 -w 0)
			_from=$(( (4 * _k + 2) / 3 + 1 ))
			_to=$(( (8 * (_k + ${#_s}) - 6) / 6 + 1 ))
			printf '%s\n' "$_b" | cut -c "$_from-$_to"
		done
	done
}
scan_secrets() {
	_secret_patterns > "$T/.secret-patterns"
	_hits=$(grep -rlaF -f "$T/.secret-patterns" "$T" \
		--exclude=.secret-patterns --exclude='authinfo*' --exclude='sasldb2*' \
		--exclude='*.db' --exclude-dir='oauth2*' 2>/dev/null)
	if [ -n "$_hits" ]; then
		not_ok "no password (plain or base64) in logs, transcripts or queue files: $(echo $_hits)"
	else
		ok "no password (plain or base64) in logs, transcripts or queue files"
	fi
}

# free_port [NOT]: a TCP port no socket uses now (and not NOT), below the
# kernel's ephemeral range: a client connection's local port cannot take
# it between here and the server's bind ("Address already in use").
free_port() {
	_lo=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	[ "${_lo:-0}" -gt 11000 ] || _lo=32768
	_p=$(( 10000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % (_lo - 11000) ))
	while [ "$_p" = "${1:-}" ] || ss -tanH 2>/dev/null | awk '{ print $4 }' | grep -q ":$_p\$"; do
		_p=$((_p + 1))
	done
	echo "$_p"
}

# start_sink NAME [faultd options] [-- rule...]: a faultd on a free port,
# storing into $T/NAME, its port in $PORT_<NAME>, stopped at exit.  The
# rules go to $T/authinfo-NAME.rules: a rule may hold a test password, and
# the leak scan skips files named authinfo*.
start_sink() {
	_sk_n=$1; shift; _sk_a=""
	while [ $# -gt 0 ] && [ "$1" != -- ]; do _sk_a="$_sk_a $1"; shift; done
	[ $# -gt 0 ] && shift
	_sk_r=$T/authinfo-$_sk_n.rules
	mkdir -p "$T/$_sk_n"; : > "$_sk_r"
	for _sk_l in "$@"; do echo "$_sk_l" >> "$_sk_r"; done
	_sk_p=$(free_port)
	# shellcheck disable=SC2086
	"$BUILD/faultd" -p "$_sk_p" -o "$T/$_sk_n" -s "$_sk_r" $_sk_a & at_exit "kill $!"
	wait_port "$_sk_p"
	eval "PORT_$_sk_n=$_sk_p"
}

# wait_port PORT: until something listens on 127.0.0.1:PORT (10 s max).
wait_port() {
	_i=0
	while ! ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 "; do
		_i=$((_i + 1)); [ "$_i" -gt 100 ] && return 1; sleep 0.1
	done
}
