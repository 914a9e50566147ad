#!/bin/sh
# demo.sh BUILD_DIR: relayq end to end against a throwaway smarthost.
# The smarthost is the project's own test SMTP server (tests/fault/faultd.c)
# on 127.0.0.1, offering STARTTLS with a certificate made here by openssl
# for this run, and AUTH PLAIN for one fixed demo login.  The demo writes a
# relayq configuration and authinfo map into a temporary directory,
# submits one message with `sendmail -t`, runs the queue once, and shows
# what the smarthost received, its SMTP transcript and relayq's log lines.
# Exits non-zero unless the message arrived intact for both recipients.
#
# No side effects: no package, user, group or service is touched, nothing
# listens beyond 127.0.0.1 while it runs, and the temporary directory is
# removed at the end (KEEP=1 keeps it).  It works on a host that already
# has another MTA.  relayqd runs as root and drops to the relayq user, as
# installed; when the host has no relayq account (make check and make
# install create it, the demo does not), the demo runs in a private mount
# namespace (unshare) whose /etc/passwd and /etc/group are copies with the
# account added: the host's files are never written.  Run as root.
set -u
[ $# -ge 1 ] || { echo "usage: sh tests/demo.sh BUILD_DIR" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "demo: no build dir $1" >&2; exit 2; }
export TOP BUILD

die() { echo "demo: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (relayqd starts as root and drops to the relayq user)"
for p in sendmail relayqd relayq-makemap faultd; do
	[ -x "$BUILD/$p" ] || die "$BUILD/$p is missing: run make demo (it builds them)"
done
command -v openssl >/dev/null 2>&1 || die "openssl is missing (apt-get install openssl)"

# free_id FILE: an id below 1000 that FILE (passwd or group) does not use.
free_id() {
	awk -F: '{ used[$3] = 1 } END { for (i = 999; i > 100; i--) if (!(i in used)) { print i; exit } }' "$1"
}
# The relayq account, in copies of /etc/passwd and /etc/group that only a
# private mount namespace sees.
if [ -z "${DEMO_IN_NS:-}" ] && ! { getent passwd relayq && getent group relayq &&
	getent group relayq-drop; } >/dev/null; then
	NS=$(mktemp -d /tmp/relayq-demo-ns.XXXXXX) || die "mktemp failed"
	trap 'rm -rf "$NS"' EXIT
	trap 'exit 130' INT TERM
	cp /etc/passwd "$NS/passwd" && cp /etc/group "$NS/group" || die "cannot copy /etc/passwd"
	for g in relayq relayq-drop; do
		getent group "$g" >/dev/null ||
			echo "$g:x:$(free_id "$NS/group"):" >>"$NS/group"
	done
	gid=$(awk -F: '$1 == "relayq" { print $3 }' "$NS/group")
	getent passwd relayq >/dev/null || echo "relayq:x:$(free_id "$NS/passwd"):$gid:relayq demo:/nonexistent:/usr/sbin/nologin" >>"$NS/passwd"
	chmod 644 "$NS/passwd" "$NS/group"
	echo "demo: no relayq account on this host; running in a mount namespace whose"
	echo "      /etc/passwd and /etc/group have one (the host's files stay as they are)"
	DEMO_IN_NS=1 unshare --mount sh -c 'mount --bind "$1/passwd" /etc/passwd &&
		mount --bind "$1/group" /etc/group && exec sh "$2" "$3"' sh "$NS" "$0" "$BUILD"
	exit $?
fi

. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/tlslib.sh"

section() { printf '\n==== %s ====\n' "$*"; }
indent() { sed 's/^/    /'; }

DEMO_USER=demo
DEMO_PASS=demo-password

section "1. Throwaway smarthost: faultd on 127.0.0.1 with STARTTLS and AUTH PLAIN"
SH=$T/smarthost
C=$T/tls
mkdir -p "$SH" "$C"
tls_make_ca "$C" && tls_make_cert "$C" smarthost "DNS:localhost,IP:127.0.0.1" ||
	die "openssl could not make the demo certificate (see $C/openssl.log)"
cat >"$SH/script" <<EOF
starttls
auth PLAIN
auth-tls-only
auth-user $DEMO_USER $DEMO_PASS
EOF
PORT=$(free_port)
"$BUILD/faultd" -p "$PORT" -o "$SH" -s "$SH/script" -c "$C/smarthost.pem" -k "$C/smarthost.key" &
at_exit "kill $!"
wait_port "$PORT" || die "the smarthost did not start"
echo "faultd listening on 127.0.0.1:$PORT; rules:"
indent <"$SH/script"
echo "certificate for localhost / 127.0.0.1, signed by a CA made for this run: $C/ca.pem"
echo "(every accepted message is stored as $SH/msg.N)"

section "2. relayq configuration and authinfo map"
RQ=$T/relayq
mkdir -p "$RQ"
: >"$RQ/aliases"
CONF=$RQ/relayq.conf
cat >"$CONF" <<EOF
smarthost localhost:$PORT
tls starttls
tls_ca $C/ca.pem
authinfo hash:$RQ/authinfo
hostname demo.relayq.test
domain example.org
spool $RQ/spool
aliases $RQ/aliases
log_file $RQ/relayq.log
EOF
printf 'AuthInfo:localhost "U:%s" "P:%s" "M:PLAIN"\n' "$DEMO_USER" "$DEMO_PASS" >"$RQ/authinfo"
chmod 600 "$RQ/authinfo"
"$BUILD/relayq-makemap" hash "$RQ/authinfo" <"$RQ/authinfo" ||
	die "relayq-makemap could not build the authinfo map"
echo "$CONF:"; indent <"$CONF"
echo "$RQ/authinfo (built into authinfo.db, mode 0600):"
sed 's/"P:[^"]*"/"P:***"/' "$RQ/authinfo" | indent

MSG=$T/message.txt
cat >"$MSG" <<'EOF'
From: Demo Sender <demo@example.org>
To: Alice <alice@example.net>
Cc: bob@example.com
Subject: Hello from relayq

This message was submitted with `sendmail -t`, queued by relayq,
and relayed to the smarthost over SMTP with STARTTLS and AUTH.
.a line starting with a dot survives the trip.
EOF

section "3. Initialise the spool: relayqd -C CONF -I"
"$BUILD/relayqd" -C "$CONF" -I 2>&1 | indent
echo "exit status $?"

section "4. Submit: sendmail -C CONF -t -i -v < message"
indent <"$MSG"
echo "----"
"$BUILD/sendmail" -C "$CONF" -t -i -v <"$MSG" >"$T/submit.log" 2>&1
rc=$?
indent <"$T/submit.log"
echo "exit status $rc"

section "5. The queue: sendmail -C CONF -bp"
"$BUILD/sendmail" -C "$CONF" -bp 2>&1 | indent

section "6. Run the queue: sendmail -C CONF -q -v"
"$BUILD/sendmail" -C "$CONF" -q -v >"$T/run.log" 2>&1
rc=$?
echo "relayq's SMTP dialogue and log lines (AUTH redacted):"
indent <"$T/run.log"
echo "exit status $rc"

section "7. What the smarthost received"
for f in "$SH"/msg.*; do
	[ -f "$f" ] || { echo "(nothing)"; break; }
	echo "--- $(basename "$f")"
	indent <"$f"
done

section "8. The smarthost's transcript (faultd)"
indent <"$SH/transcript.log"

section "9. relayq's log_file"
indent <"$RQ/relayq.log"

section "10. The queue afterwards"
"$BUILD/sendmail" -C "$CONF" -bp 2>&1 | indent

section "Result"
fail() { echo "FAIL: $*"; exit 1; }
f=$SH/msg.1
[ -f "$f" ] || fail "the smarthost stored nothing"
grep -q '^RCPT TO:<alice@example.net>$' "$f" && grep -q '^RCPT TO:<bob@example.com>$' "$f" ||
	fail "the smarthost did not get both recipients"
grep -q '^--- tls TLSv1\.[23]' "$SH/transcript.log" || fail "no TLS session"
grep -q '^S: 235 ' "$SH/transcript.log" || fail "the demo login was not accepted"
sed '1,/^$/d' "$MSG" >"$T/sent.body"
sed '1,/^$/d' "$f" | sed '1,/^\r*$/d' | tr -d '\r' | cmp -s - "$T/sent.body" ||
	fail "the body the smarthost stored differs from what was submitted"
echo "PASS: the message reached the smarthost for both recipients over TLS" \
	"after AUTH PLAIN, body intact"
exit 0
