# t_demo: make demo's script passes against faultd (STARTTLS, AUTH PLAIN),
# also on a host without the relayq account, and leaves nothing behind:
# its temporary directories are gone and /etc/passwd and /etc/group are
# unchanged.  deps.sh refuses to install Postfix over another MTA.
. "$TOP/tests/integration/lib.sh"

sums() { cat /etc/passwd /etc/group | md5sum; }
before=$(sums)

# demo_run OUT [unshare-prefix...]: the demo, its output in OUT.
demo_run() {
	_out=$1; shift
	"$@" sh "$TOP/tests/demo.sh" "$BUILD" > "$_out" 2>&1
}
demo_checks() { # demo_checks WHAT OUT RC
	assert_eq "$1: exit status 0" 0 "$3"
	assert_grep "$1: PASS" "^PASS: the message reached the smarthost" "$2"
	assert_grep "$1: TLS, then AUTH PLAIN accepted" "S: 235 2.7.0" "$2"
	assert_grep "$1: delivered per the log_file" "stat=Sent (250 2.0.0 Ok: queued)" "$2"
	_dir=$(sed -n 's|^.*spool \(/tmp/relayq-test\.[^/]*\)/relayq/spool$|\1|p' "$2" | head -n 1)
	check "$1: the demo named its temporary directory" test -n "$_dir"
	check "$1: its temporary directory is removed" test ! -e "${_dir:-/nonexistent}"
}

demo_run "$T/demo.out"
demo_checks "demo" "$T/demo.out" $?
assert_no_grep "demo: the host's relayq account is used as is" "mount namespace" "$T/demo.out"

# A host without the relayq account (make demo does not run deps.sh's
# account step): the demo brings one in a private mount namespace.
grep -v '^relayq' /etc/passwd > "$T/passwd"
grep -v '^relayq' /etc/group > "$T/group"
unshare --mount sh -c "mount --bind '$T/passwd' /etc/passwd && mount --bind '$T/group' /etc/group &&
	exec sh '$TOP/tests/demo.sh' '$BUILD'" > "$T/demo-ns.out" 2>&1
demo_checks "no relayq account" "$T/demo-ns.out" $?
assert_grep "no relayq account: says so" "no relayq account on this host" "$T/demo-ns.out"
check "no relayq account: no namespace directory left" \
	sh -c '! ls -d /tmp/relayq-demo-ns.* >/dev/null 2>&1'
assert_eq "/etc/passwd and /etc/group unchanged" "$before" "$(sums)"

# deps.sh and another MTA: a dpkg-query that reports nullmailer installed
# and postfix missing, an apt-get that only records it was called.
mkdir -p "$T/bin"
cat > "$T/bin/dpkg-query" <<'EOS'
#!/bin/sh
case "$*" in
*Provides*) /usr/bin/dpkg-query "$@"; printf 'nullmailer\tinstalled\tmail-transport-agent\n' ;;
*" postfix") printf 'not-installed' ;;
*) exec /usr/bin/dpkg-query "$@" ;;
esac
EOS
printf '#!/bin/sh\necho "apt-get $*" >> "%s/apt.log"\nexit 1\n' "$T" > "$T/bin/apt-get"
printf '#!/bin/sh\ncat > /dev/null\n' > "$T/bin/debconf-set-selections"
chmod 755 "$T/bin/dpkg-query" "$T/bin/apt-get" "$T/bin/debconf-set-selections"
PATH="$T/bin:$PATH" sh "$TOP/tests/deps.sh" > "$T/deps.out" 2>&1
assert_eq "deps.sh with another MTA: refuses (exit 1)" 1 $?
assert_grep "deps.sh with another MTA: names it" "mail transport agent is: nullmailer" "$T/deps.out"
assert_grep "deps.sh with another MTA: says how to go on" "RELAYQ_REPLACE_MTA=1 make check" "$T/deps.out"
check "deps.sh with another MTA: apt-get never ran" test ! -e "$T/apt.log"
RELAYQ_REPLACE_MTA=1 PATH="$T/bin:$PATH" sh "$TOP/tests/deps.sh" > "$T/deps2.out" 2>&1
assert_grep "RELAYQ_REPLACE_MTA=1: says what apt will remove" "apt will remove nullmailer" "$T/deps2.out"
assert_grep "RELAYQ_REPLACE_MTA=1: goes on to apt-get" "^apt-get update" "$T/apt.log"
PATH="$T/bin:$PATH" sh "$TOP/tests/deps.sh" build > "$T/deps3.out" 2>&1
assert_eq "deps.sh build: needs no MTA check (exit 0)" 0 $?
finish
