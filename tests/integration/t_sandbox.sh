# t_sandbox: mail from callers whose sendmail cannot use its setgid bit
# (NoNewPrivileges, RestrictSUIDSGID, containers).  sendmail hands the
# message to relayqd over the submission socket, which writes the drop for
# it and attributes it to the peer's uid (SO_PEERCRED).  Against a real
# Postfix: the message arrives with the same sender as from an ordinary
# shell; -t, -bs and a 32 MB message work; a client that lies about its uid
# is ignored; a daemon stopped mid-message leaves nothing half-queued and
# the caller gets EX_TEMPFAIL; with no daemon, exit 75 and what to fix;
# the per-uid rate limit; malformed and oversized streams are refused.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

AS_USER="setpriv --reuid=nobody --regid=nogroup --clear-groups"
NNP="$AS_USER --no-new-privs"
NOBODY=$(id -u nobody)
# A copy whose default config is ours, installed setgid as make install
# does (never sanitized: LeakSanitizer cannot run set-group-ID).
env -u MAKEFLAGS -u MAKELEVEL -u SANITIZE make -s -C "$TOP" SANITIZE= B="$T/build" SYSCONF="$T/etc" \
	"$T/build/sendmail" "$T/build/relayq-queue" >/dev/null 2>&1 ||
	{ not_ok "build a copy with SYSCONF=$T/etc"; finish; }
mkdir -p "$T/etc" "$T/bin"
install -m 2755 -g relayq-drop "$T/build/sendmail" "$T/bin/sendmail"
SM=$T/bin/sendmail

PF=$T/pf; PORT=$(free_port); RQ=$T/rq
postfix_start "$PF" "$PORT" || { not_ok "postfix starts"; finish; }
at_exit "postfix_stop $PF"
postfix_set "$PF" message_size_limit=60000000
rq_setup "$RQ" "$PORT" "submit_socket $T/run/submit" "submit_rate_limit 0"
cp "$RQ/relayq.conf" "$T/etc/relayq.conf"
chmod 755 "$T" "$RQ"; chmod 644 "$T/etc/relayq.conf" "$RQ/aliases"
SP=$RQ/spool; SOCK=$T/run/submit

# start_daemon [extra config lines]: relayqd -q30m -f, waiting for its socket.
start_daemon() {
	for _l in "$@"; do echo "$_l" >> "$T/etc/relayq.conf"; done
	"$BUILD/relayqd" -C "$T/etc/relayq.conf" -q30m -f 2>> "$T/daemon.err" &
	DPID=$!
	_i=0; while [ ! -S "$SOCK" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
}
stop_daemon() { kill "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; }
at_exit 'stop_daemon'
# arrived_for RCPT: the stored mail whose envelope recipient is RCPT.
arrived_for() {
	for _f in $(postfix_mails "$PF"); do
		[ "$(postfix_env "$_f" recipient)" = "$1" ] && echo "$_f"
	done | tail -n 1
}
# wait_for RCPT: until mail for RCPT arrived (20 s max).
wait_for() {
	_i=0; while [ -z "$(arrived_for "$1")" ] && [ $_i -lt 200 ]; do sleep 0.1; _i=$((_i + 1)); done
	[ -n "$(arrived_for "$1")" ]
}
tmp_files() { ls -A "$SP/maildrop" | grep -c '^tmp\.'; }
# client ARGS: the perl protocol client below, as nobody.
client() { $AS_USER perl "$T/client.pl" "$SOCK" "$@"; }
cat > "$T/client.pl" <<'EOF'
# A hand-written submission client: MODE is lie (claims uid 0 and root's
# address), stall (stops mid-content and reports how the stream ended),
# bad (a malformed command) or big (content over max_message_size).
use strict; use IO::Socket::UNIX;
my ($path, $mode) = @ARGV;
my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path) or die "connect: $!";
$SIG{PIPE} = 'IGNORE';
my $greeting = <$s>; print "greeting: $greeting";
my $env = "RELAYQ 1\nT1\nU0\nSroot\@example.org\nrlie\@example.org\nM\n";
$env =~ s/lie\@/stall\@/ if $mode eq 'stall';
if ($mode eq 'bad') { print $s "hello relayqd\n"; print "reply: ", scalar <$s>; exit 0; }
print $s "envelope ", length($env), " 0123456789abcd\n", $env;
if ($mode eq 'big') {
	my $chunk = "x" x 65535 . "\n";
	for (1 .. 40) { print $s "data ", length($chunk), "\n", $chunk or last; }
	print "reply: ", scalar <$s>; exit 0;
}
my $content = "Subject: $mode\n\nbody\n";
if ($mode eq 'stall') {
	print $s "data 10\n", substr($content, 0, 10); $s->flush;
	open(my $f, '>', "$ARGV[2]") or die; print $f "sent\n"; close $f;
	my $r = <$s>; print defined $r ? "reply: $r" : "eof\n"; exit 0;
}
print $s "data ", length($content), "\n", $content, "commit 7\n";
print "reply: ", scalar <$s>;
EOF

start_daemon
assert_eq "socket is 0666, its directory 0755" "666 755" \
	"$(stat -c %a "$SOCK") $(stat -c %a "$T/run")"

# --- 1. the same message from a shell and from a NoNewPrivileges process --
printf 'Subject: from a shell\n\nx\n' | $AS_USER "$SM" -i shell@example.org
assert_eq "ordinary caller: exit 0" 0 $?
printf 'Subject: nnp\n\ny\n' | $NNP "$SM" -v -i nnp@example.org 2> "$T/nnp.err"
assert_eq "NoNewPrivileges caller: exit 0" 0 $?
assert_grep "-v says the message went through the socket" \
	"handed to relayqd at $SOCK (maildrop not writable: this process runs with NoNewPrivileges" "$T/nnp.err"
wait_for shell@example.org && wait_for nnp@example.org
check "both messages arrived" wait_for nnp@example.org
assert_eq "same envelope sender as from the shell" \
	"$(postfix_env "$(arrived_for shell@example.org)" sender)" \
	"$(postfix_env "$(arrived_for nnp@example.org)" sender)"
assert_eq "that sender is the caller's" "nobody@example.org" \
	"$(postfix_env "$(arrived_for nnp@example.org)" sender)"
assert_grep "From: names the caller" "^From: .*nobody@example.org" "$(arrived_for nnp@example.org)"
assert_grep "relayqd logged the submission, attributed to nobody" \
	"relayqd\[[0-9]*\]: [0-9A-Za-z]\{14\}: from=<nobody@example.org>, size=[0-9]*, .*relay=nobody@localhost" "$(rq_log "$RQ")"

# --- 2. -t and -bs under NoNewPrivileges ----------------------------------
printf 'To: tee@example.org\nSubject: t\n\nz\n' | $NNP "$SM" -t -i
assert_eq "-t through the socket: exit 0" 0 $?
printf 'HELO x\r\nMAIL FROM:<nobody@example.org>\r\nRCPT TO:<bs@example.org>\r\nDATA\r\nSubject: bs\r\n\r\nw\r\n.\r\nQUIT\r\n' |
	$NNP "$SM" -bs > "$T/bs.out"
assert_grep "-bs through the socket: 250 after DATA" "^250 2.0.0 .*queued" "$T/bs.out"
check "-t message arrived" wait_for tee@example.org
check "-bs message arrived" wait_for bs@example.org

# --- 3. 32 MB, streamed --------------------------------------------------
head -c 24000000 /dev/urandom | base64 > "$T/big.b64"
{ printf 'Subject: big\nMIME-Version: 1.0\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n'; cat "$T/big.b64"; } > "$T/big.eml"
check "the message is over 32 MB" [ "$(stat -c %s "$T/big.eml")" -gt 32000000 ]
$NNP "$SM" -i big@example.org < "$T/big.eml"
assert_eq "32 MB through the socket: exit 0" 0 $?
check "32 MB message arrived" wait_for big@example.org
postfix_message "$(arrived_for big@example.org)" | sed '1,/^$/d' > "$T/big.got"
check "32 MB body arrived byte for byte" cmp -s "$T/big.b64" "$T/big.got"

# --- 4. a client cannot claim another uid --------------------------------
client lie > "$T/lie.out"
assert_grep "lying client: committed" "^reply: ok [0-9A-Za-z]\{14\}$" "$T/lie.out"
lqid=$(sed -n 's/^reply: ok //p' "$T/lie.out")
check "lying client's message arrived" wait_for lie@example.org
assert_grep "its U0 was ignored: the log names nobody" "$lqid: from=<root@example.org>, .*relay=nobody@localhost" "$(rq_log "$RQ")"

# --- 5. refused streams ---------------------------------------------------
client bad > "$T/bad.out"
assert_grep "malformed command: baddata" "^reply: baddata malformed command" "$T/bad.out"
stop_daemon; start_daemon "max_message_size 1M"
client big > "$T/big.out"
assert_grep "over max_message_size: toobig" "^reply: toobig message is larger than max_message_size" "$T/big.out"
assert_eq "nothing half-written after refusals" 0 "$(tmp_files)"

# --- 5b. a user holds, releases and retries their own mail through relayqd ---
QCTL=$T/build/relayq-queue
qid_of() { sed -n 's/^sendmail: \([0-9A-Za-z]\{14\}\): .*/\1/p' "$1" | head -n 1; }
printf 'Subject: mine\n\nm\n' | $AS_USER "$SM" -v -odq -i mine@example.org 2> "$T/mine.err"
MQ=$(qid_of "$T/mine.err")
printf 'Subject: roots\n\nr\n' | "$SM" -v -odq -i roots@example.org 2> "$T/roots.err"
RQID=$(qid_of "$T/roots.err")
$AS_USER "$QCTL" hold "$MQ" > "$T/hold.out" 2>&1
assert_eq "user holds their own message: exit 0" 0 $?
assert_eq "... and is told" "$MQ: held" "$(cat "$T/hold.out")"
assert_grep "its state file says held" "^H[0-9]" "$SP/queue/$MQ.qf"
assert_grep "log: who held it" "$MQ: held by its owner (uid $NOBODY)" "$(rq_log "$RQ")"
$AS_USER "$QCTL" hold "$RQID" > "$T/hold2.out" 2>&1
assert_eq "root's message: exit 66, as if it were not there" 66 $?
assert_grep "... and says so" "$RQID: relayqd: no such message of yours in the queue" "$T/hold2.out"
assert_no_grep "root's message stays unheld" "^H[0-9]" "$SP/queue/$RQID.qf"
$AS_USER "$QCTL" hold --all > "$T/holdall.out" 2>&1
assert_eq "--all is root's: exit 77" 77 $?
$AS_USER "$QCTL" release "$MQ" > "$T/rel.out" 2>&1
assert_eq "release: exit 0" 0 $?
check "released: relayqd is woken and sends it" wait_for mine@example.org

# --- 6. relayqd stops mid-message ----------------------------------------
before=$(rq_queued "$RQ")
mkdir -m 777 "$T/w"
client stall "$T/w/stalled" > "$T/stall.out" &
CPID=$!
_i=0; while [ ! -f "$T/w/stalled" ] && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
check "a temporary file exists while the message streams" [ "$(tmp_files)" -eq 1 ]
stop_daemon
wait "$CPID"
assert_grep "the client sees the stream end without ok" "^eof$" "$T/stall.out"
assert_eq "no temporary file left" 0 "$(tmp_files)"
assert_eq "nothing queued" "$before" "$(rq_queued "$RQ")"
assert_grep "relayqd logged the abandoned submission" "stopping: 1 submission(s) in progress abandoned, nothing of them queued" "$(rq_log "$RQ")"
start_daemon
( printf 'Subject: slow\n\n'; sleep 2; printf 'rest\n' ) | $NNP "$SM" -i slow@example.org 2> "$T/slow.err" &
SPID=$!
sleep 1; stop_daemon
wait "$SPID"
assert_eq "sendmail whose daemon stopped mid-message: exit 75" 75 $?
assert_grep "and says so" "relayqd.*message NOT queued, try again later" "$T/slow.err"
assert_eq "still nothing half-queued" 0 "$(tmp_files)"

# --- 7. no way in ---------------------------------------------------------
check "relayqd removed its socket when it stopped" [ ! -e "$SOCK" ]
printf 'Subject: lost?\n\nq\n' | $NNP "$SM" -i nowhere@example.org 2> "$T/none.err"
assert_eq "no setgid and no daemon: exit 75 (EX_TEMPFAIL), never 0" 75 $?
$AS_USER "$QCTL" retry "$RQID" > "$T/retry.out" 2>&1
assert_eq "a user's change with no relayqd: exit 75" 75 $?
assert_grep "... says why" "relayqd is not reachable at $SOCK.*start it, or ask root" "$T/retry.out"
assert_grep "says which of the three to fix" \
	"maildrop is not writable (this process runs with NoNewPrivileges.*relayqd is not reachable.*start relayqd, or enable relayq-submit.socket" "$T/none.err"

# --- 8. rate limit per uid --------------------------------------------------
start_daemon "submit_rate_limit 2"
for i in 1 2 3; do
	printf 'Subject: rate %s\n\nr\n' $i | $NNP "$SM" -i rate$i@example.org 2> "$T/rate$i.err"
	echo $? >> "$T/rate.codes"
done
assert_eq "third submission in a minute: exit 75" "0 0 75" "$(echo $(cat "$T/rate.codes"))"
assert_grep "says why" "uid $NOBODY is over submit_rate_limit (2 a minute)" "$T/rate3.err"
printf 'Subject: root\n\nr\n' | setpriv --no-new-privs "$SM" -i rootrate@example.org
printf 'Subject: root\n\nr\n' | setpriv --no-new-privs "$SM" -i rootrate@example.org
printf 'Subject: root\n\nr\n' | setpriv --no-new-privs "$SM" -i rootrate@example.org
assert_eq "root is not rate-limited" 0 $?

# --- 9. systemd, where it runs ----------------------------------------------
case $(systemctl is-system-running 2>/dev/null) in
running|degraded)
	printf 'Subject: unit\n\nu\n' | systemd-run --quiet --pipe --wait -p NoNewPrivileges=yes \
		-p User=nobody "$SM" -i unit@example.org
	assert_eq "systemd-run -p NoNewPrivileges=yes: exit 0" 0 $?
	check "its message arrived" wait_for unit@example.org ;;
*)	echo "# systemd is not running here: the systemd-run case was not run" ;;
esac
finish
