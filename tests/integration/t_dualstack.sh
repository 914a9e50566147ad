# t_dualstack: a smarthost name with an IPv6 and an IPv4 address (Happy
# Eyeballs, RFC 8305) and source_address, against faultd on [::1] and
# 127.0.0.1.  The name, relay.test, is in a private /etc/hosts: the test
# runs itself again in a mount namespace of its own (root), as t_privileges
# does for /etc/passwd.  A "blackholed" address is faultd -B: its accept
# queue is full, so the kernel drops the SYNs and a connect hangs.
if [ -z "${RQ_DUALSTACK_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! unshare --mount true 2>/dev/null; then
		echo "ok - skipped: needs root and unshare --mount"
		exit 0
	fi
	RQ_DUALSTACK_NS=1 exec unshare --mount sh "$0" "$@"
fi
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

printf '::1 relay.test\n127.0.0.1 relay.test\n127.0.0.1 localhost\n' > "$T/hosts"
chmod 644 "$T/hosts"
mount --bind "$T/hosts" /etc/hosts || { not_ok "a private /etc/hosts"; finish; }
assert_eq "relay.test has both addresses" "::1 127.0.0.1" \
	"$(getent ahosts relay.test | awk '$2 == "STREAM" { printf "%s%s", s, $1; s = " " }')"

# A port free on both loopback addresses.
port() {
	_p=$(free_port)
	while ss -ltn 2>/dev/null | grep -q "\[::1\]:$_p "; do _p=$(free_port); done
	echo "$_p"
}
# server VAR ADDR PORT [-B]: a faultd there; VAR names its directory.
n=0
server() {
	n=$((n + 1)); _d=$T/f$n; mkdir -p "$_d"
	"$BUILD/faultd" -l "$2" -p "$3" -o "$_d" ${4:-} 2> "$_d/stderr" & at_exit "kill $!"
	_i=0
	while [ ! -s "$_d/faultd.pid" ]; do
		_i=$((_i + 1)); [ "$_i" -gt 100 ] && break; sleep 0.1
	done
	eval "$1=\$_d"
}
# relay CASE PORT [conf lines]: a relayq whose smarthost is relay.test:PORT.
relay() {
	RQ=$T/rq-$1; _port=$2; shift 2
	rq_setup "$RQ" "$_port" "smarthost relay.test:$_port" "$@"
}
# run_ms: submit one message, run the queue once; prints the run's ms.
run_ms() {
	printf 'Subject: %s\n\nx\n' "$1" | rq "$RQ" -i bob@example.org
	_t0=$(date +%s%N)
	"$BUILD/relayqd" -C "$RQ/relayq.conf" -q -v 2> "$RQ/v.txt"
	echo $(( ($(date +%s%N) - _t0) / 1000000 ))
}
between() { [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; }
stored() { ls "$1" | grep -c '^msg\.'; }
mailq_of() { rq "$RQ" -bp 2>&1; }

P=$(port)
server S6 ::1 "$P"
if [ ! -s "$S6/faultd.pid" ]; then
	echo "ok - skipped: no IPv6 on loopback ($(cat "$S6/stderr"))"
	finish
fi
server S4 127.0.0.1 "$P"
relay v6 "$P" "timeout_connect 20s"
ms=$(run_ms v6)
assert_eq "both work: IPv6 used" "1 0" "$(stored "$S6") $(stored "$S4")"
assert_grep "both work: faultd saw ::1" "^--- connection 1 from ::1$" "$S6/transcript.log"
assert_grep "both work: -v names the IPv6 relay" "relay.test \[::1\]" "$RQ/v.txt"
echo "# timing: IPv6 answers, whole queue run ${ms} ms"

P=$(port)
server B6 ::1 "$P" -B
server S4 127.0.0.1 "$P"
relay blackhole "$P" "timeout_connect 20s"
ms=$(run_ms blackhole)
assert_eq "IPv6 blackholed: delivered over IPv4" 1 "$(stored "$S4")"
assert_grep "IPv6 blackholed: from 127.0.0.1" "^--- connection 1 from 127.0.0.1$" "$S4/transcript.log"
# 250 ms for the IPv6 attempt, then the IPv4 connect; the whole run (fork,
# TLS-less session, one message) stays far below timeout_connect's 20 s.
check "IPv6 blackholed: fallback in ${ms} ms, not after timeout_connect (20 s)" \
	between "$ms" 250 2000
echo "# timing: IPv6 blackholed, whole queue run ${ms} ms"

P=$(port)
relay refused "$P"
ms=$(run_ms refused)
mailq_of > "$T/mailq.refused"
assert_grep "both refused: deferred naming both addresses" \
	"connect to relay.test \[::1\]:$P: Connection refused; \[127.0.0.1\]:$P: Connection refused" \
	"$T/mailq.refused"
assert_grep "both refused: the log names both" "\[::1\]:$P: Connection refused; \[127.0.0.1\]" \
	"$(rq_log "$RQ")"
assert_eq "both refused: stays queued" 1 "$(rq_queued "$RQ")"

P=$(port)
server B6 ::1 "$P" -B
server B4 127.0.0.1 "$P" -B
relay timeout "$P" "timeout_connect 2s"
ms=$(run_ms timeout)
mailq_of > "$T/mailq.timeout"
assert_grep "both blackholed: both timed out" \
	"\[::1\]:$P: Connection timed out; \[127.0.0.1\]:$P: Connection timed out" "$T/mailq.timeout"
check "both blackholed: timeout_connect (2 s) is for both together (${ms} ms)" \
	between "$ms" 2000 3500

P=$(port)
server S4 127.0.0.1 "$P"
relay source4 "$P" "source_address 127.0.0.2"
run_ms source4 > /dev/null
assert_eq "source_address: delivered" 1 "$(stored "$S4")"
assert_grep "source_address: faultd saw 127.0.0.2" "^--- connection 1 from 127.0.0.2$" \
	"$S4/transcript.log"

# As Postfix with smtp_bind_address only: IPv6 is still used, unbound.
P=$(port)
server S6 ::1 "$P"
relay source6 "$P" "source_address 127.0.0.2"
run_ms source6 > /dev/null
assert_grep "source_address IPv4 only: IPv6 still used, unbound" "^--- connection 1 from ::1$" \
	"$S6/transcript.log"

# An address this host lacks fails its family, never a silent other source.
P=$(port)
server S4 127.0.0.1 "$P"
relay badsource "$P" "source_address 198.51.100.77"
run_ms badsource > /dev/null
mailq_of > "$T/mailq.badsource"
assert_eq "source_address not on this host: nothing sent" 0 "$(stored "$S4")"
assert_grep "source_address not on this host: said plainly" \
	"\[127.0.0.1\]:$P: source address 198.51.100.77: Cannot assign requested address" \
	"$T/mailq.badsource"

relay badconf 1 "source_address 192.0.2.1 192.0.2.2" 2> "$T/badconf.err"
"$BUILD/relayqd" -C "$T/rq-badconf/relayq.conf" -q -v 2> "$T/badconf.err"
assert_grep "source_address with two IPv4 addresses: file:line error" \
	"relayq.conf:[0-9]*: two IPv4 addresses" "$T/badconf.err"
finish
