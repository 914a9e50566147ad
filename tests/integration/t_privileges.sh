# t_privileges: the trust model with real set-group-ID programs.  sendmail
# (setgid relayq-drop) can only create files in maildrop/ (1730): an
# ordinary user queues mail but cannot list maildrop/ or enter queue/, even
# with the submitter's group; a drop whose U record names another uid is
# quarantined; mailq goes through relayq-showq (setgid relayq) and shows a
# user only their own mail; NoNewPrivileges without a running relayqd gets
# a clear refusal (t_sandbox has the submission socket).
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

USER_RUN="setpriv --reuid=nobody --regid=nogroup --clear-groups"
# The submitter's group, as a subverted sendmail would hold it.
DROP_RUN="setpriv --reuid=nobody --regid=relayq-drop --clear-groups"
# A build whose default config is ours: -C drops setgid for non-root.
# Never sanitized: LeakSanitizer cannot run in a set-group-ID process (it
# is not ptrace-able); the sanitizer pass covers this code in t_submit.
env -u MAKEFLAGS -u MAKELEVEL -u SANITIZE make -s -C "$TOP" SANITIZE= B="$T/build" SYSCONF="$T/etc" \
	"$T/build/sendmail" "$T/build/relayqd" "$T/build/relayq-showq" >/dev/null 2>&1 ||
	{ not_ok "build a copy with SYSCONF=$T/etc"; finish; }
mkdir -p "$T/etc" "$T/bin"
BUILD="$T/build" rq_setup "$T/rq" 1
cp "$T/rq/relayq.conf" "$T/etc/relayq.conf"
install -m 2755 -g relayq-drop "$T/build/sendmail" "$T/bin/sendmail"
install -m 2755 -g relayq "$T/build/relayq-showq" "$T/bin/relayq-showq"
chmod 755 "$T/rq"
SP=$T/rq/spool

assert_eq "maildrop/ is 1730 relayq:relayq-drop" "relayq relayq-drop 1730" "$(stat -c '%U %G %a' "$SP/maildrop")"
assert_eq "queue/ is 750 relayq:relayq" "relayq relayq 750" "$(stat -c '%U %G %a' "$SP/queue")"

printf 'Subject: from nobody\n\nx\n' | $USER_RUN "$T/bin/sendmail" -v -odq -i bob@example.org 2> "$T/err"
assert_eq "ordinary user submits through setgid sendmail" 0 $?
qid=$(sed -n 's/^sendmail: \([0-9A-Za-z]\{14\}\): from=.*/\1/p' "$T/err")
f=$SP/maildrop/$qid
nb=$(getent passwd nobody | cut -d: -f5 | cut -d, -f1)
assert_grep "the setgid submitter's sender is the caller's login" "^Snobody@example.org$" "$f"
assert_grep "and From: its full name, as NSS has it" "^From: $nb <nobody@example.org>$" "$f"
assert_eq "drop file owned by the user, group relayq-drop, 0606" "nobody relayq-drop 606" "$(stat -c '%U %G %a' "$f" 2>/dev/null)"
$USER_RUN ls "$SP/maildrop" > /dev/null 2>&1
assert_eq "user cannot list the maildrop" 2 $?
$DROP_RUN ls "$SP/maildrop" > /dev/null 2>&1
assert_eq "the submitter's group cannot list the maildrop" 2 $?

printf 'Subject: from root\n\ny\n' | "$T/bin/sendmail" -v -odq -i carol@example.org 2> "$T/err.root"
rqid=$(sed -n 's/^sendmail: \([0-9A-Za-z]\{14\}\): from=.*/\1/p' "$T/err.root")
check "root's drop exists" test -f "$SP/maildrop/$rqid"
$DROP_RUN cat "$SP/maildrop/$rqid" > /dev/null 2>&1
check "the submitter's group cannot read root's drop by name" [ $? -ne 0 ]

# A subverted submitter writes a drop that claims to be root's (U0).
forged=$(echo "$qid" | tr '0-9A-Za-z' '1-9A-Za-z0')
$DROP_RUN sh -c "sed 's/^U[0-9]*\$/U0/' '$f' > '$SP/maildrop/$forged'"
assert_grep "the forged drop says U0" "^U0$" "$SP/maildrop/$forged"

"$T/build/relayqd" -q 2>/dev/null	# smarthost port 1: everything stays queued
assert_eq "both real messages queued after a failed run" 2 "$(rq_queued "$T/rq")"
check "the forged drop is in quarantine/" test -f "$SP/quarantine/$forged"
assert_grep "log: the forgery is named" "$forged: moved to quarantine/$forged: forged drop file: it claims uid 0, its owner is uid $(id -u nobody)" "$(rq_log "$T/rq")"
check "the user's message is in queue/" test -f "$SP/queue/$qid.df"
$DROP_RUN ls "$SP/queue" > /dev/null 2>&1
check "the submitter's group cannot list queue/" [ $? -ne 0 ]
$DROP_RUN cat "$SP/queue/$qid.df" > /dev/null 2>&1
check "the submitter's group cannot read queue/, not even its own message" [ $? -ne 0 ]
assert_eq "state files are relayq:relayq 640" "relayq relayq 640" "$(stat -c '%U %G %a' "$SP/queue/$qid.qf")"

$USER_RUN "$T/bin/sendmail" -bp > "$T/mailq.user" 2>&1
assert_grep "mailq as the user shows their message" "bob@example.org" "$T/mailq.user"
assert_no_grep "mailq as the user hides root's message" "carol@example.org" "$T/mailq.user"
"$T/bin/sendmail" -bp > "$T/mailq.root"
assert_grep "mailq as root shows all" "Total requests: 2" "$T/mailq.root"

# Without the relayq user, relayqd started as root would stay root: it refuses.
grep -v '^relayq:' /etc/passwd > "$T/passwd"
unshare --mount sh -c "mount --bind '$T/passwd' /etc/passwd && exec '$T/build/relayqd' -q" 2>/dev/null
check "no relayq user: relayqd refuses to run as root" [ $? -ne 0 ]
assert_grep "no relayq user: says why" "no user relayq: refusing to deliver mail as root" "$(rq_log "$T/rq")"
assert_eq "no relayq user: the queue is untouched" 2 "$(rq_queued "$T/rq")"

printf 'Subject: nnp\n\nz\n' | $USER_RUN --no-new-privs "$T/bin/sendmail" -i dave@example.org 2> "$T/err"
assert_eq "NoNewPrivileges, no relayqd: exit 75 (EX_TEMPFAIL), not 0" 75 $?
assert_grep "NoNewPrivileges, no relayqd: says exactly why" "NoNewPrivileges.*setgid bit of sendmail is ignored.*relayqd is not reachable.*NOT queued" "$T/err"
assert_eq "NoNewPrivileges: nothing half-written" 2 "$(rq_queued "$T/rq")"
finish
