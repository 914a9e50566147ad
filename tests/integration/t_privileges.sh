# t_privileges: the trust model with a real setgid submitter — an ordinary
# user can queue mail but not list the maildrop, sees only their own mail in
# mailq, and under NoNewPrivileges gets a clear refusal, never a silent loss.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

USER_RUN="setpriv --reuid=nobody --regid=nogroup --clear-groups"
# A build whose default config is ours: -C drops setgid for non-root.
# Never sanitized: LeakSanitizer cannot run in a set-group-ID process (it
# is not ptrace-able); the sanitizer pass covers this code in t_submit.
env -u MAKEFLAGS -u MAKELEVEL -u SANITIZE make -s -C "$TOP" SANITIZE= B="$T/build" SYSCONF="$T/etc" "$T/build/sendmail" "$T/build/relayqd" >/dev/null 2>&1 ||
	{ not_ok "build a copy with SYSCONF=$T/etc"; finish; }
mkdir -p "$T/etc" "$T/bin"
BUILD="$T/build" rq_setup "$T/rq" 1
cp "$T/rq/relayq.conf" "$T/etc/relayq.conf"
install -m 2755 -g relayq "$T/build/sendmail" "$T/bin/sendmail"
chmod 755 "$T/rq"

printf 'Subject: from nobody\n\nx\n' | $USER_RUN "$T/bin/sendmail" -i bob@example.org 2> "$T/err"
assert_eq "ordinary user submits through setgid sendmail" 0 $?
f=$(find "$T/rq/spool/maildrop" -type f | head -n 1)
assert_eq "drop file owned by the user, group relayq, 0640" "nobody relayq 640" "$(stat -c '%U %G %a' "$f" 2>/dev/null)"
$USER_RUN ls "$T/rq/spool/maildrop" > /dev/null 2>&1
assert_eq "user cannot list the maildrop" 2 $?
$USER_RUN cat "$f" > /dev/null 2>&1
check "user cannot read a queued file directly" [ $? -ne 0 ]

printf 'Subject: from root\n\ny\n' | "$T/bin/sendmail" -i carol@example.org
"$T/build/relayqd" -q 2>/dev/null	# smarthost port 1: everything stays queued
assert_eq "both messages queued after a failed run" 2 "$(rq_queued "$T/rq")"
$USER_RUN "$T/bin/sendmail" -bp > "$T/mailq.user" 2>&1
assert_grep "mailq as the user shows their message" "bob@example.org" "$T/mailq.user"
assert_no_grep "mailq as the user hides root's message" "carol@example.org" "$T/mailq.user"
"$T/bin/sendmail" -bp > "$T/mailq.root"
assert_grep "mailq as root shows all" "Total requests: 2" "$T/mailq.root"

printf 'Subject: nnp\n\nz\n' | $USER_RUN --no-new-privs "$T/bin/sendmail" -i dave@example.org 2> "$T/err"
assert_eq "NoNewPrivileges: exit 73 (EX_CANTCREAT), not 0" 73 $?
assert_grep "NoNewPrivileges: says exactly why" "NoNewPrivileges.*setgid bit of sendmail is ignored.*NOT queued" "$T/err"
assert_eq "NoNewPrivileges: nothing half-written" 2 "$(rq_queued "$T/rq")"
finish
