# t_limits: what one local user can do to the spool and to the smarthost.
#   max_message_size: a larger message is refused (exit 73, or 552 over
#     -bs), nothing is left behind, and -bs advertises SIZE;
#   the free-space reserve: a user other than root is refused (exit 75)
#     while the spool is below it; root still gets through;
#   many recipients: a server that takes 20 per transaction ("452 4.5.3")
#     gets them all in one queue run, over one session;
#   -V: the ENVID goes out xtext-encoded once.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

PF=$T/pf; PORT=$(free_port); RQ=$T/rq
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
rq_setup "$RQ" "$PORT" "max_message_size 10k"
chmod 755 "$RQ"
# A user with the submitter's group, as the setgid sendmail runs.
AS_USER="setpriv --reuid=nobody --regid=relayq-drop --clear-groups"

# --- max_message_size ---------------------------------------------------------
{ printf 'Subject: big\n\n'; head -c 12000 /dev/zero | tr '\0' 'x' | fold -w 70; echo; } > "$T/big"
rq "$RQ" -i a@example.org < "$T/big" 2> "$T/err"
assert_eq "over max_message_size: exit 73" 73 $?
assert_grep "over max_message_size: says so" "larger than max_message_size (10240 octets).*NOT queued\|larger than max_message_size (10240 octets)" "$T/err"
assert_eq "over max_message_size: nothing queued" 0 "$(rq_queued "$RQ")"
assert_eq "over max_message_size: no partial file" "" "$(ls "$RQ/spool/maildrop")"
# The rest is read, so a caller still writing (PHP's mail()) gets the exit
# code, not a SIGPIPE.
{ printf 'Subject: huge\n\n'; head -c 1000000 /dev/zero | tr '\0' 'y' | fold -w 70; echo; } > "$T/huge"
{ cat "$T/huge"; echo $? > "$T/writer.rc"; } | rq "$RQ" -i a@example.org 2> /dev/null
assert_eq "over max_message_size: the writer was not cut off" 0 "$(cat "$T/writer.rc")"
printf 'Subject: small\n\nfits\n' | rq "$RQ" -odq -i a@example.org
assert_eq "under max_message_size: queued" 1 "$(rq_queued "$RQ")"
{ printf 'EHLO client\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n'
  sed 's/$/\r/' "$T/big"; printf '.\r\nQUIT\r\n'; } | rq "$RQ" -bs > "$T/bs"
assert_grep "-bs: EHLO advertises SIZE" "^250-SIZE 10240" "$T/bs"
assert_grep "-bs: too big is 552 5.3.4" "^552 5.3.4 message is larger than max_message_size" "$T/bs"
assert_eq "-bs: nothing more queued" 1 "$(rq_queued "$RQ")"

# --- the free-space reserve ---------------------------------------------------
echo "queue_minfree 1000G" >> "$RQ/relayq.conf"
printf 'Subject: user\n\nx\n' | $AS_USER "$BUILD/sendmail" -C "$RQ/relayq.conf" -i c@example.org 2> "$T/err"
assert_eq "below the reserve: a user gets exit 75" 75 $?
assert_grep "below the reserve: says so" "KiB kept in reserve; message NOT queued, try again later" "$T/err"
printf 'Subject: root\n\nx\n' | rq "$RQ" -odq -i c@example.org
assert_eq "below the reserve: root still queues" 0 $?
sed -i '/^queue_minfree/d' "$RQ/relayq.conf"
printf 'Subject: user\n\nx\n' | $AS_USER "$BUILD/sendmail" -C "$RQ/relayq.conf" -odq -i d@example.org 2> "$T/err"
assert_eq "with room: the user queues" 0 $?
assert_eq "three messages queued" 3 "$(rq_queued "$RQ")"
rq "$RQ" -q
postfix_wait_mail "$PF" 3 10 || not_ok "the three arrive"

# --- many recipients: 20 per transaction ----------------------------------------
postfix_set "$PF" smtpd_recipient_limit=20
rcpts=$(seq 1 50 | sed 's/^/r/; s/$/@example.org/' | tr '\n' ' ')
# shellcheck disable=SC2086
printf 'Subject: many\n\nmany\n' | rq "$RQ" -odq -i $rcpts
rq "$RQ" -q -v 2> "$T/v.many"
postfix_wait_mail "$PF" 53 20 || not_ok "fifty recipients arrived"
assert_eq "all fifty stored by the smarthost" 50 "$(grep -l '^Subject: many' "$PF"/mail/*.eml | wc -l)"
assert_eq "queue empty after one run" 0 "$(rq_queued "$RQ")"
assert_eq "three transactions in one session" 3 "$(grep -c '^>>> MAIL FROM:' "$T/v.many")"
assert_eq "one session" 1 "$(grep -c '^>>> EHLO' "$T/v.many")"
assert_grep "the server did say 452 4.5.3" "^<<< 452 4.5.3" "$T/v.many"

# --- -V: xtext once -----------------------------------------------------------
postfix_set "$PF" smtpd_recipient_limit=1000
printf 'Subject: envid\n\nx\n' | rq "$RQ" -odq -i -V 'id+2Bone' e@example.org
rq "$RQ" -q -v 2> "$T/v.envid"
assert_grep "-V: ENVID sent once encoded" "ENVID=id+2Bone\( \|$\)" "$T/v.envid"
assert_no_grep "-V: not encoded twice" "+2B2B" "$T/v.envid"
finish
