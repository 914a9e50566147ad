# t_fullfs: a submission into a full file system fails with EX_TEMPFAIL,
# says so, and leaves no partial file; earlier mail is untouched.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

RQ=$T/rq
mkdir -p "$RQ/spool"
if ! mount -t tmpfs -o size=256k,mode=755 tmpfs "$RQ/spool"; then
	not_ok "mount a small tmpfs (needs root)"; finish
fi
at_exit "umount $RQ/spool"
rq_setup "$RQ" 1
printf 'Subject: small\n\nfits\n' | rq "$RQ" -i a@example.org
assert_eq "small message queued" 0 $?
head -c 600000 /dev/zero | tr '\0' 'x' | fold -w 70 | { printf 'Subject: big\n\n'; cat; } > "$T/big"
rq "$RQ" -i b@example.org < "$T/big" 2> "$T/err"
assert_eq "full disk: exit 75 (EX_TEMPFAIL)" 75 $?
assert_grep "full disk: clear message" "No space left on device.*NOT queued" "$T/err"
assert_eq "no partial file left behind" "" "$(ls "$RQ/spool/maildrop" | grep tmp)"
assert_eq "earlier message still queued" 1 "$(rq_queued "$RQ")"
finish
