# t_callers: real callers on a laptop whose host name is unqualified
# ("callers-host", set in a private UTS namespace), with domain and
# masquerade in relayq.conf and no hostname line.  The smarthost is a real
# Postfix that refuses non-FQDN HELO names, as many submission servers do.
#   cron:      sendmail -FCronDaemon -i -B8BITMIME -oem root, with a 1,023-octet
#              Subject and a 1,492-octet body line
#   mutt:      sendmail -oem -oi -- root@callers-host
#   mailutils: sendmail -f rqalice@callers-host -t, To: <root@callers-host>
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

PF=$T/pf; PORT=$(free_port); RQ=$T/rq
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
rq_setup "$RQ" "$PORT" "masquerade relayq.test"
sed -i -e '/^hostname /d' -e 's/^domain .*/domain relayq.test/' "$RQ/relayq.conf"
printf 'root: admin@example.org\n' > "$RQ/aliases"

# on_host CMD...: run CMD with the host name callers-host.
on_host() { unshare --uts sh -c 'hostname callers-host && exec "$@"' sh "$@"; }
check "a private UTS namespace can be made" on_host true

# stored_for RCPT: the stored mail whose envelope recipient is RCPT.
stored_for() {
	for _f in $(postfix_mails "$PF"); do
		[ "$(postfix_env "$_f" recipient)" = "$1" ] && echo "$_f"
	done | tail -n 1
}
# lines_ok FILE: FILE has text and no line over 998 octets.
lines_ok() { [ -s "$1" ] && LC_ALL=C awk 'length($0) > 998 { bad = 1 } END { exit bad }' "$1"; }
# field FILE NAME: a header field, unfolded (RFC 5322 §2.2.3).
field() { LC_ALL=C awk -v n="$2:" 'index($0, n) == 1 { v = $0; on = 1; next }
	on && /^[ \t]/ { v = v $0; next } { on = 0 } /^$/ { exit } END { print v }' "$1"; }

# --- 1. cron: lines over 998 octets --------------------------------------
subject=$(LC_ALL=C awk 'BEGIN { s = "Subject: Cron <root@callers-host> cd /srv/backup &&";
	for (i = 0; length(s) < 1023; i++) s = s sprintf(" /usr/local/sbin/backup-db --dump /srv/db/part%03d", i);
	print substr(s, 1, 1023) }')
bodyline=$(LC_ALL=C awk 'BEGIN { s = "caf\303\251 =";
	for (i = 0; length(s) < 1492; i++) s = s sprintf(" rsync: file-%04d.tar sent", i);
	print substr(s, 1, 1492) }')
{
	printf 'From: root (Cron Daemon)\nTo: root\n%s\n' "$subject"
	printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n'
	printf 'Content-Transfer-Encoding: 8bit\nX-Cron-Env: <SHELL=/bin/sh>\n'
	printf 'X-Cron-Env: <HOME=/root>\nX-Cron-Env: <PATH=/usr/bin:/bin>\n'
	printf 'X-Cron-Env: <LOGNAME=root>\n\nstarting backup\n%s\ndone\n' "$bodyline"
} > "$T/cron.eml"
printf 'starting backup\n%s\ndone\n' "$bodyline" > "$T/cron.body"
assert_eq "cron's Subject is 1,023 octets" 1023 "$(printf '%s' "$subject" | wc -c)"
assert_eq "cron's body line is 1,492 octets" 1492 "$(printf '%s' "$bodyline" | wc -c)"

on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -FCronDaemon -i -B8BITMIME -oem root < "$T/cron.eml"
assert_eq "cron: sendmail exits 0" 0 $?
on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -q -v 2> "$T/v.cron"
postfix_wait_mail "$PF" 1 10 || not_ok "cron: mail arrived"
f=$(stored_for admin@example.org)
postfix_message "$f" > "$T/got.cron"
check "cron: no stored line over 998 octets" lines_ok "$T/got.cron"
check "cron: Subject was folded" test "$(grep -c '^Subject:' "$T/got.cron")" -eq 1 -a \
	"$(sed -n '/^Subject:/,/^[^ \t]/p' "$T/got.cron" | grep -c '^[ \t]')" -ge 1
assert_eq "cron: Subject unfolds to the original" "$subject" "$(field "$T/got.cron" Subject)"
assert_grep "cron: body re-encoded quoted-printable" "^Content-Transfer-Encoding: quoted-printable$" "$T/got.cron"
assert_grep "cron: charset kept" "^Content-Type: text/plain; charset=UTF-8$" "$T/got.cron"
sed '1,/^$/d' "$T/got.cron" | perl -MMIME::QuotedPrint -e 'local $/; print decode_qp(<STDIN>)' > "$T/decoded.cron"
check "cron: body decodes to the original bytes" cmp -s "$T/cron.body" "$T/decoded.cron"
assert_eq "cron: root went through the aliases" "admin@example.org" "$(postfix_env "$f" recipient)"
check "cron: no -v line over 998 octets" lines_ok "$T/v.cron"

# --- 2. the host's own names are local -------------------------------------
on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -v -bv root@localhost > "$T/bv" 2> "$T/bv.err"
assert_grep "-bv root@localhost: the alias target" "^admin@example.org\.\.\. deliverable" "$T/bv"
assert_no_grep "-bv root@localhost: not relayed as is" "root@localhost" "$T/bv"
printf 'Date: Wed, 02 Dec 2026 10:00:00 +0000\nFrom: rqalice <rqalice@callers-host>\nTo: root@callers-host\nSubject: from mutt\nMessage-ID: <20261202100000.GA1@callers-host>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\nContent-Disposition: inline\n\nmutt body\n' |
	on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -oem -oi -- root@callers-host
assert_eq "mutt: sendmail exits 0" 0 $?
printf 'To: <root@callers-host>\nSubject: from mailutils\n\nmailutils body\n' |
	on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -f rqalice@callers-host -t
assert_eq "mailutils: sendmail exits 0" 0 $?
on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -q
postfix_wait_mail "$PF" 3 10 || not_ok "mutt and mailutils mail arrived"
for f in $(postfix_mails "$PF"); do
	grep -q '^Subject: from mutt' "$f" && mutt=$f
	grep -q '^Subject: from mailutils' "$f" && mailutils=$f
done
assert_eq "mutt: envelope recipient is the alias target" "admin@example.org" "$(postfix_env "${mutt:-none}" recipient)"
assert_eq "mailutils: envelope recipient is the alias target" "admin@example.org" "$(postfix_env "${mailutils:-none}" recipient)"
assert_eq "mailutils: envelope sender masqueraded" "rqalice@relayq.test" "$(postfix_env "${mailutils:-none}" sender)"
assert_grep "mailutils: To: names the user, not the host" "^To: <root@relayq.test>$" "${mailutils:-none}"
assert_grep "mutt: From: masqueraded" "^From: rqalice <rqalice@relayq.test>$" "${mutt:-none}"
assert_no_grep "no recipient at the bare host name reached the smarthost" "to=<[^>]*@callers-host>" "$(postfix_log "$PF")"

# --- 3. a qualified EHLO name and Message-ID -------------------------------
# The smarthost now refuses HELO names without a dot, as many ISPs do.
postfix_set "$PF" smtpd_helo_required=yes \
	smtpd_helo_restrictions=reject_non_fqdn_helo_hostname
printf 'Subject: after helo check\n\nx\n' | on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -i root
on_host "$BUILD/sendmail" -C "$RQ/relayq.conf" -q
postfix_wait_mail "$PF" 4 10 || not_ok "mail arrived at a server with reject_non_fqdn_helo_hostname"
f=$(postfix_mails "$PF" | tail -n 1)
assert_eq "EHLO name is host name + domain" "callers-host.relayq.test" "$(postfix_env "$f" helo)"
assert_grep "Message-ID domain qualified" "^Message-ID: <[0-9]*\.[0-9A-Za-z]*@callers-host\.relayq\.test>$" "$T/got.cron"
assert_grep "-v says where the host name came from" "hostname callers-host.relayq.test (from the host name and domain)" "$T/v.cron"

assert_eq "queue empty" 0 "$(rq_queued "$RQ")"
finish
