# t_conf_errors: every error in relayq.conf is reported, each with its
# file:line; relayqd says so on stderr as well as syslog when stderr is a
# terminal or under -f or -I (not when systemd's journal is stderr), and
# refuses to run without a smarthost (-I only warns).
. "$TOP/tests/integration/lib.sh"

BAD=$T/bad.conf
printf '%s\n' "# three bad lines and no smarthost" "smarthots mail.example" \
	"spool $T/spool" "tls sometimes" "retry_min 5x" > "$BAD"
errors_in() { # errors_in WHAT FILE PREFIX: the three line errors, each once
	assert_grep "$1: line 2" "^$3: $BAD:2: unknown key \"smarthots\"$" "$2"
	assert_grep "$1: line 4" "^$3: $BAD:4: bad value \"sometimes\" (none, starttls, smtps)$" "$2"
	assert_grep "$1: line 5" "^$3: $BAD:5: bad duration \"5x\"" "$2"
}

"$BUILD/relayqd" -C "$BAD" -q > "$T/q.out" 2> "$T/q.err"
assert_eq "relayqd -q, bad config: exit 78" 78 $?
assert_eq "relayqd -q, stderr not a terminal: nothing on it (syslog only)" "" "$(cat "$T/q.err")"

"$BUILD/relayqd" -C "$BAD" -q -f 2> "$T/f.err"
assert_eq "relayqd -f, bad config: exit 78" 78 $?
errors_in "relayqd -f" "$T/f.err" relayqd
assert_grep "relayqd -f: the missing smarthost too" "^relayqd: $BAD: no smarthost: " "$T/f.err"
assert_eq "relayqd -f: four errors, four lines" 4 "$(wc -l < "$T/f.err")"

"$BUILD/relayqd" -C "$BAD" -I 2> "$T/i.err"
assert_eq "relayqd -I, bad config: exit 78" 78 $?
errors_in "relayqd -I" "$T/i.err" relayqd

# A terminal: script(1) gives relayqd a pty as stderr.
script -qec "'$BUILD/relayqd' -C '$BAD' -q" /dev/null < /dev/null | tr -d '\r' > "$T/tty.err"
errors_in "relayqd on a terminal" "$T/tty.err" relayqd

# systemd's journal as stderr (JOURNAL_STREAM names it): syslog has it.
: > "$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") "$BUILD/relayqd" -C "$BAD" -q -f 2>> "$T/journal"
assert_eq "relayqd -f under the journal: exit 78" 78 $?
assert_eq "relayqd -f under the journal: no second copy on stderr" "" "$(cat "$T/journal")"

# sendmail reports every line too, each with its prefix.
printf 'Subject: x\n\ny\n' | "$BUILD/sendmail" -C "$BAD" -i bob@example.org 2> "$T/sm.err"
assert_eq "sendmail, bad config: exit 78" 78 $?
errors_in "sendmail" "$T/sm.err" sendmail
assert_no_grep "sendmail: a smarthost is relayqd's business" "no smarthost" "$T/sm.err"

# No smarthost: relayqd refuses (there is no default); -I warns only.
NOSH=$T/nosh.conf
printf 'spool %s\nhostname client.relayq.test\naliases /dev/null\n' "$T/spool" > "$NOSH"
"$BUILD/relayqd" -C "$NOSH" -I 2> "$T/nosh-i.err"
assert_eq "no smarthost, relayqd -I: exit 0" 0 $?
assert_grep "no smarthost, relayqd -I: warns" "no smarthost yet: queue runs refuse to start" "$T/nosh-i.err"
check "no smarthost, relayqd -I: the spool exists" test -d "$T/spool/maildrop"
"$BUILD/relayqd" -C "$NOSH" -q -f 2> "$T/nosh.err"
assert_eq "no smarthost, relayqd -q: exit 78" 78 $?
assert_grep "no smarthost, relayqd -q: says why" "^relayqd: $NOSH: no smarthost: relayqd relays all mail there and has no default" "$T/nosh.err"
printf 'Subject: x\n\ny\n' | "$BUILD/sendmail" -C "$NOSH" -odq -i bob@example.org
assert_eq "no smarthost: sendmail still queues" 0 $?
"$BUILD/sendmail" -C "$NOSH" -bv bob@example.org > "$T/bv.out"
assert_grep "no smarthost: -bv says so" "host (no smarthost set)" "$T/bv.out"
finish
