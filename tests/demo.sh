#!/bin/sh
# demo.sh BUILD_DIR: relayq end to end against a real, throwaway Postfix.
# Starts a private Postfix on 127.0.0.1 as the smarthost, writes a relayq
# configuration into a temporary directory, submits one message with
# `sendmail -t`, runs the queue once, and shows what the smarthost received
# together with relayq's and Postfix's log lines.  Exits non-zero unless the
# message arrived.  KEEP=1 keeps the temporary directory.  Run as root (the
# private Postfix needs it); `make demo` runs tests/deps.sh first.
set -u
[ $# -ge 1 ] || { echo "usage: sh tests/demo.sh BUILD_DIR" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "demo: no build dir $1" >&2; exit 2; }
export TOP BUILD
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"

section() { printf '\n==== %s ====\n' "$*"; }
indent() { sed 's/^/    /'; }
die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (the throwaway Postfix needs it)"
command -v postfix >/dev/null 2>&1 || die "postfix is not installed: run sh tests/deps.sh"

section "1. Throwaway smarthost: private Postfix on 127.0.0.1"
PF=$T/smarthost
PORT=$(free_port)
at_exit "postfix_stop $PF"
postfix_start "$PF" "$PORT" || die "the smarthost did not start"
echo "Postfix $(postconf -c "$PF/etc" -h mail_version) listening on 127.0.0.1:$PORT"
echo "(instance in $PF; every received message is stored in $PF/mail)"

section "2. relayq configuration"
CONF=$T/relayq.conf
mkdir -p "$T/relayq"
: >"$T/relayq/aliases"
cat >"$CONF" <<EOF
smarthost 127.0.0.1:$PORT
hostname demo.relayq.test
domain example.org
spool $T/relayq/spool
aliases $T/relayq/aliases
EOF
echo "$CONF:"; indent <"$CONF"

MSG=$T/message.txt
cat >"$MSG" <<'EOF'
From: Demo Sender <demo@example.org>
To: Alice <alice@example.net>
Cc: bob@example.com
Subject: Hello from relayq

This message was submitted with `sendmail -t`, queued by relayq,
and relayed to the smarthost over SMTP.
.a line starting with a dot survives the trip.
EOF

if [ ! -x "$BUILD/sendmail" ] || [ ! -x "$BUILD/relayqd" ]; then
	section "relayq programs missing in $BUILD"
	echo "Checking the smarthost with a plain SMTP client instead:"
	postfix_send "$PORT" demo@example.org "alice@example.net bob@example.com" "$MSG" | indent
	postfix_wait_mail "$PF" 2 10 && echo "smarthost OK: $(postfix_count "$PF") deliveries stored"
	die "build relayq (make) to run the real demo"
fi

section "3. Initialise the spool: relayqd -C $CONF -I"
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
echo "relayq log lines:"
indent <"$T/run.log"
echo "exit status $rc"

section "7. What the smarthost received"
if postfix_wait_mail "$PF" 2 10; then arrived=yes; else arrived=no; fi
for f in $(postfix_mails "$PF"); do
	echo "--- $(basename "$f")  envelope: MAIL FROM:<$(postfix_env "$f" sender)>" \
		"RCPT TO:<$(postfix_env "$f" recipient)>  helo=$(postfix_env "$f" helo)"
	indent <"$f"
done
[ "$(postfix_count "$PF")" -gt 0 ] || echo "(nothing)"

section "8. Smarthost log (Postfix)"
grep -e 'smtpd\[' -e 'qmgr\[' -e 'pipe\[' "$(postfix_log "$PF")" | indent

section "9. The queue afterwards"
"$BUILD/sendmail" -C "$CONF" -bp 2>&1 | indent

section "Result"
if [ "$arrived" = yes ]; then
	sed '1,/^$/d' "$MSG" >"$T/sent.body"
	for f in $(postfix_mails "$PF"); do
		postfix_body "$f" | cmp -s - "$T/sent.body" ||
			{ echo "FAIL: the body of $(basename "$f") differs from what was submitted"; exit 1; }
	done
	echo "PASS: the message reached the smarthost for both recipients, body intact"
	exit 0
fi
echo "FAIL: the smarthost stored $(postfix_count "$PF") of 2 expected deliveries"
postfix_queue "$PF" | indent
exit 1
