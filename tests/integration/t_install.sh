# t_install: make install (packaging/install.sh) never replaces another
# sendmail by surprise.  Staged installs (DESTDIR) only, so the machine's
# own /usr/sbin/sendmail is never at risk; the live case, where dpkg -S
# names the owning package, runs in a throwaway root in make check-package.
. "$TOP/tests/integration/lib.sh"

# inst DESTDIR PREFIX: install.sh as make install calls it.
inst() {
	sh "$TOP/packaging/install.sh" "$1" "$2/sbin" "$2/bin" "$2/share/man" /etc/relayq \
		"$BUILD" "$2/libexec/relayq"
}

D=$T/d1
mkdir -p "$D/usr/sbin"
printf '#!/bin/sh\necho another MTA\n' > "$D/usr/sbin/sendmail"
chmod 755 "$D/usr/sbin/sendmail"
cp "$D/usr/sbin/sendmail" "$T/other"

inst "$D" /usr > "$T/o1" 2> "$T/e1"
assert_eq "another sendmail: install refuses (exit 1)" 1 "$?"
assert_grep "says why" "refusing to replace $D/usr/sbin/sendmail: it is not relayq's and no package owns it" "$T/e1"
assert_grep "says how to override" "FORCE=1" "$T/e1"
check "the other sendmail is unchanged" cmp -s "$T/other" "$D/usr/sbin/sendmail"
check "nothing else was written" test ! -e "$D/usr/libexec" -a ! -e "$D/etc"

FORCE=1 inst "$D" /usr > "$T/o2" 2> "$T/e2"
assert_eq "FORCE=1: install goes on" 0 "$?"
assert_grep "FORCE=1: says what it replaced" "FORCE=1: replacing $D/usr/sbin/sendmail: it is not relayq's" "$T/e2"
check "FORCE=1: sendmail is relayq's now" cmp -s "$BUILD/sendmail" "$D/usr/sbin/sendmail"
check "staged set-group-ID program has no set-ID bit" test ! -g "$D/usr/sbin/sendmail"

inst "$D" /usr > "$T/o3" 2> "$T/e3"
assert_eq "relayq's own sendmail is replaced without FORCE" 0 "$?"
assert_no_grep "no refusal over relayq's own sendmail" "refusing" "$T/e3"
assert_no_grep "PREFIX=/usr: no note about /usr/sbin/sendmail" "left untouched" "$T/o3"

D=$T/d2
mkdir -p "$D/usr/sbin"
ln -s /nonexistent/sendmail "$D/usr/sbin/sendmail"
inst "$D" /usr > "$T/o4" 2> "$T/e4"
assert_eq "a dangling sendmail link is not relayq's either" 1 "$?"
check "the link is unchanged" test "$(readlink "$D/usr/sbin/sendmail")" = /nonexistent/sendmail

D=$T/d3
inst "$D" /usr/local > "$T/o5" 2> "$T/e5"
assert_eq "PREFIX=/usr/local: installs" 0 "$?"
assert_grep "PREFIX=/usr/local: says /usr/sbin/sendmail stays" \
	"sendmail goes to /usr/local/sbin/sendmail; /usr/sbin/sendmail is left untouched" "$T/o5"
assert_grep "... and what to do instead" "install the Debian package (make deb) or use PREFIX=/usr" "$T/o5"

# make install hands FORCE to install.sh.
make -s -n -C "$TOP" install B="$BUILD" DESTDIR="$T/d4" FORCE=1 > "$T/make-n" 2>&1
assert_grep "make install FORCE=1 passes FORCE on" "^FORCE='1' sh packaging/install.sh" "$T/make-n"
finish
