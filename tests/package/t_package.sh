# t_package: the Debian package in a fresh Debian 12 root, as an admin
# would meet it.  Run by `make check-package` as
#   sh tests/package/t_package.sh BUILDDIR DEBDIR
# (BUILDDIR: faultd and the programs for the make install check; DEBDIR:
# relayq_*.deb from `make deb`).  Root only; network only to the Debian
# mirror this machine's apt uses.
#
# A minbase bookworm root made by mmdebstrap from that mirror is cached as
# build/package/bookworm-minbase.tar (REFRESH=1 makes it again) and the
# downloaded .debs in build/package/archives, so a rerun needs only apt's
# index.  In the root: nullmailer is installed first, then make install
# must refuse to replace its sendmail; `apt install ./relayq_*.deb`
# replaces nullmailer; `echo hi | sendmail -v root` (and a submission by
# nobody through the set-group-ID bit) reaches our SMTP sink on 127.0.0.1
# outside the root after a one-shot `relayqd -q`; then remove and purge
# with a message still queued must warn, and leave no file the package
# created (piuparts' check, done here by listing the root before and after).
set -u
[ $# -eq 2 ] || { echo "usage: sh tests/package/t_package.sh BUILDDIR DEBDIR" >&2; exit 64; }
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$1" && pwd)
DEBDIR=$(cd "$2" && pwd)
export TOP BUILD
. "$TOP/tests/integration/lib.sh"

[ "$(id -u)" -eq 0 ] || { not_ok "t_package needs root (chroot, mounts)"; finish; }
started=$(date +%s)
CACHE=$TOP/build/package
R=$CACHE/root
TARBALL=$CACHE/bookworm-minbase.tar
mkdir -p "$CACHE/archives/partial"

deb=$(ls "$DEBDIR"/relayq_*_*.deb 2>/dev/null | grep -v dbgsym | tail -n 1)
[ -n "$deb" ] || { not_ok "a relayq_*.deb in $DEBDIR (run make deb)"; finish; }

# The Debian mirror this machine's apt uses (deb822 or one-line sources).
mirror() {
	m=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		tr ' ' '\n' | grep -i debian | grep -v -- -security | head -n 1)
	[ -n "$m" ] || m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' |
		grep -v -- -security | head -n 1)
	echo "${m:-http://deb.debian.org/debian}"
}
MIRROR=$(mirror)

if ! command -v mmdebstrap >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=600 mmdebstrap >/dev/null 2>&1 ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends -o DPkg::Lock::Timeout=600 mmdebstrap >/dev/null; }
fi

if [ -n "${REFRESH:-}" ] || [ ! -s "$TARBALL" ] || [ "$(cat "$TARBALL.mirror" 2>/dev/null)" != "$MIRROR" ]; then
	echo "# bootstrapping bookworm (minbase) from $MIRROR"
	rm -f "$TARBALL" "$TARBALL.mirror"
	# The output format follows the name's ending: keep it .tar.
	if mmdebstrap --quiet --mode=root --variant=minbase bookworm "$CACHE/new.tar" \
		"deb $MIRROR bookworm main" "deb $MIRROR bookworm-updates main" > "$T/mmdebstrap.log" 2>&1; then
		mv "$CACHE/new.tar" "$TARBALL"
		echo "$MIRROR" > "$TARBALL.mirror"
	else
		tail -n 20 "$T/mmdebstrap.log"
		not_ok "mmdebstrap bookworm from $MIRROR"
		finish
	fi
fi

# Everything mounted below the root, deepest first.
unmount_root() {
	awk -v r="$R" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do umount -l "$m"; done
}
unmount_root
rm -rf "$R"
mkdir -p "$R"
tar -C "$R" -xf "$TARBALL" || { not_ok "unpack $TARBALL"; finish; }
[ -n "${KEEP:-}" ] || at_exit "rm -rf '$R'"
mount -t proc proc "$R/proc"
mount --bind "$CACHE/archives" "$R/var/cache/apt/archives"
at_exit "unmount_root"
cp /etc/resolv.conf "$R/etc/resolv.conf"
# Nothing may start services in the root (policy-rc.d: 101 = forbidden).
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
# Keep downloaded .debs for the next run.
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > "$R/etc/apt/apt.conf.d/99keep"

in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
	HOME=/root LC_ALL=C.UTF-8 "$@"; }
apt_root() { in_root apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }

check "apt-get update in the root" apt_root update > "$T/update.log" 2>&1

# ---- the MTA relayq replaces ----------------------------------------------
check "nullmailer installs first" apt_root install --no-install-recommends nullmailer > "$T/nm.log" 2>&1
assert_eq "nullmailer owns /usr/sbin/sendmail" "nullmailer: /usr/sbin/sendmail" \
	"$(in_root dpkg -S /usr/sbin/sendmail 2>&1)"

# make install, live in the root: must refuse, name the package, and
# leave the file as it was.
mkdir -p "$R/tmp/src/build"
cp -R "$TOP/packaging" "$TOP/man" "$R/tmp/src/"
for p in "$BUILD"/*; do [ -f "$p" ] && [ -x "$p" ] && cp "$p" "$R/tmp/src/build/"; done
sum_before=$(sha256sum < "$R/usr/sbin/sendmail")
in_root sh /tmp/src/packaging/install.sh "" /usr/sbin /usr/bin /usr/share/man /etc/relayq \
	/tmp/src/build /usr/libexec/relayq > "$T/mi.out" 2> "$T/mi.err"
assert_eq "make install over nullmailer's sendmail: exit 1" 1 "$?"
assert_grep "make install names the owner" "refusing to replace /usr/sbin/sendmail: it belongs to the Debian package nullmailer" "$T/mi.err"
assert_eq "make install left nullmailer's sendmail alone" "$sum_before" "$(sha256sum < "$R/usr/sbin/sendmail")"
check "make install wrote nothing before refusing" test ! -e "$R/usr/libexec/relayq"

# /etc/mailname missing: the debconf answer is written there.
rm -f "$R/etc/mailname"

# Before relayq: the list that purge must return to.
snapshot() {
	chroot "$R" find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp \
		-o -path /run -o -path /var/cache -o -path /var/lib/apt -o -path /var/log \
		-o -path /var/lib/dpkg \) -prune -o -print | sort
}
installed() { in_root dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort; }
snapshot > "$T/before.txt"
installed > "$T/pkgs-before.txt"

# ---- install ---------------------------------------------------------------
F=$T/sink
mkdir -p "$F"
PORT=$(free_port)
"$BUILD/faultd" -p "$PORT" -o "$F" & at_exit "kill $!"
wait_port "$PORT"
printf '%s\n' "relayq relayq/smarthost string 127.0.0.1:$PORT" \
	"relayq relayq/mailname string relayq-test.example" | in_root debconf-set-selections
cp "$deb" "$R/tmp/"
apt_root install "/tmp/$(basename "$deb")" > "$T/install.log" 2>&1
assert_eq "apt install ./relayq_*.deb: exit 0" 0 "$?"
assert_grep "apt removes nullmailer for relayq" "^  *nullmailer" "$T/install.log"
assert_grep "... in its REMOVED list" "The following packages will be REMOVED" "$T/install.log"
assert_eq "nullmailer left in state rc" "rc" "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' nullmailer | cut -c1-2)"
assert_eq "relayq installed" "ii" "$(in_root dpkg-query -W -f='${db:Status-Abbrev}' relayq | cut -c1-2)"

mode() { chroot "$R" stat -c '%a %U:%G' "$1" 2>&1; }
assert_eq "sendmail: set-group-ID relayq-drop" "2755 root:relayq-drop" "$(mode /usr/sbin/sendmail)"
assert_eq "relayq-showq: set-group-ID relayq" "2755 root:relayq" "$(mode /usr/libexec/relayq/relayq-showq)"
assert_eq "relayqd: plain" "755 root:root" "$(mode /usr/libexec/relayq/relayqd)"
in_root dpkg-statoverride --list > "$T/so.txt"
assert_grep "statoverride for sendmail" "^root relayq-drop 2755 /usr/sbin/sendmail$" "$T/so.txt"
assert_grep "statoverride for relayq-showq" "^root relayq 2755 /usr/libexec/relayq/relayq-showq$" "$T/so.txt"
for l in /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases; do
	assert_eq "$l -> sendmail" /usr/sbin/sendmail "$(chroot "$R" readlink -f "$l")"
done
quiet() { "$@" >/dev/null 2>&1; }
check "user relayq" quiet in_root getent passwd relayq
check "group relayq-drop" quiet in_root getent group relayq-drop
assert_eq "spool maildrop/" "1730 relayq:relayq-drop" "$(mode /var/spool/relayq/maildrop)"
assert_eq "spool queue/" "750 relayq:relayq" "$(mode /var/spool/relayq/queue)"
assert_eq "/etc/mailname from debconf" "relayq-test.example" "$(cat "$R/etc/mailname")"
assert_grep "relayq.conf: smarthost from debconf" "^smarthost 127.0.0.1:$PORT$" "$R/etc/relayq/relayq.conf"
in_root dpkg-query --showformat='${Conffiles}\n' --show relayq > "$T/conffiles.txt"
assert_grep "relayq.conf.example is a conffile" "/etc/relayq/relayq.conf.example" "$T/conffiles.txt"
assert_grep "logcheck rules are conffiles" "/etc/logcheck/ignore.d.server/relayq" "$T/conffiles.txt"
check "logwatch service installed" test -x "$R/usr/share/logwatch/scripts/services/relayq"
check "relayqd.service enabled (deb-systemd-helper)" \
	test -L "$R/etc/systemd/system/multi-user.target.wants/relayqd.service"
# Every other shipped unit with an [Install] section (the submission
# socket) is enabled as well; the timer is the daemon's alternative.
for u in "$R"/lib/systemd/system/relayq*; do
	n=$(basename "$u")
	case $n in relayq-queue.timer|relayqd.service) continue ;; esac
	grep -q '^\[Install\]' "$u" || continue
	check "$n enabled" sh -c "ls '$R'/etc/systemd/system/*.wants/'$n' >/dev/null 2>&1"
done
check "relayq-queue.timer not enabled" test ! -e "$R/etc/systemd/system/timers.target.wants/relayq-queue.timer"
check "unit runs /usr/libexec/relayq/relayqd" \
	grep -q '^ExecStart=/usr/libexec/relayq/relayqd ' "$R/lib/systemd/system/relayqd.service"

# An admin's edit survives reconfiguring; an existing /etc/mailname is
# used silently.
sed -i "s/^smarthost .*/smarthost [127.0.0.1]:$PORT/" "$R/etc/relayq/relayq.conf"
echo "# admin was here" >> "$R/etc/relayq/relayq.conf"
echo other.example > "$R/etc/mailname"
in_root dpkg-reconfigure -f noninteractive relayq > "$T/reconf.log" 2>&1
assert_eq "dpkg-reconfigure: exit 0" 0 "$?"
assert_grep "reconfigure keeps the admin's lines" "^# admin was here$" "$R/etc/relayq/relayq.conf"
assert_grep "reconfigure keeps the admin's smarthost" "^smarthost \[127.0.0.1\]:$PORT$" "$R/etc/relayq/relayq.conf"
assert_eq "reconfigure leaves /etc/mailname" other.example "$(cat "$R/etc/mailname")"
in_root debconf-show relayq > "$T/dc.txt" 2>&1
assert_grep "debconf shows the mail name on disk" "relayq/mailname: other.example" "$T/dc.txt"
echo relayq-test.example > "$R/etc/mailname"

# Upgrade path (same version): dpkg reapplies the overrides at unpack,
# postinst keeps relayq.conf and the administrator's overrides.
in_root dpkg -i "/tmp/$(basename "$deb")" > "$T/reinstall.log" 2>&1
assert_eq "dpkg -i over the installed package: exit 0" 0 "$?"
assert_eq "... sendmail keeps its mode" "2755 root:relayq-drop" "$(mode /usr/sbin/sendmail)"
assert_grep "... relayq.conf keeps the admin's lines" "^# admin was here$" "$R/etc/relayq/relayq.conf"

# ---- mail ------------------------------------------------------------------
echo hi | in_root /usr/sbin/sendmail -v root > "$T/send.out" 2>&1
assert_eq "echo hi | sendmail -v root: exit 0" 0 "$?"
printf 'Subject: from nobody\n\nhi from nobody\n' |
	in_root setpriv --reuid=65534 --regid=65534 --clear-groups /usr/sbin/sendmail -i bob@example.org
assert_eq "a user without privileges submits through the set-group-ID bit" 0 "$?"
in_root /usr/libexec/relayq/relayqd -q -v > "$T/run.txt" 2>&1
assert_eq "relayqd -q (one shot) in the root: exit 0" 0 "$?"
assert_grep "message 1 arrived, to root at the mail name" "^RCPT TO:<root@relayq-test.example>" "$F/msg.1"
assert_grep "message 1: the body" "^hi" "$F/msg.1"
assert_grep "message 2 arrived, from nobody" "^MAIL FROM:<nobody@relayq-test.example>" "$F/msg.2"
in_root /usr/bin/mailq > "$T/mailq.txt" 2>&1
assert_grep "mailq: queue empty" "queue is empty" "$T/mailq.txt"

# ---- remove and purge with mail queued ------------------------------------
printf 'Subject: stuck\n\nnever sent\n' | in_root /usr/sbin/sendmail -i -odq carol@example.org
apt_root remove relayq > "$T/remove.log" 2>&1
assert_eq "apt remove relayq: exit 0" 0 "$?"
assert_grep "remove warns about queued mail" "1 message(s) stay queued in /var/spool/relayq" "$T/remove.log"
check "remove keeps the spool" test -d "$R/var/spool/relayq/maildrop"
check "remove: statoverrides gone" sh -c "! chroot '$R' dpkg-statoverride --list | grep -q relayq"
apt_root purge relayq > "$T/purge.log" 2>&1
assert_eq "apt purge relayq: exit 0" 0 "$?"
assert_grep "purge warns before deleting queued mail" "warning: 1 queued message(s) in /var/spool/relayq were never delivered" "$T/purge.log"
check "purge removed the spool" test ! -e "$R/var/spool/relayq"
check "purge removed /etc/relayq" test ! -e "$R/etc/relayq"
check "purge removed user relayq" sh -c "! chroot '$R' getent passwd relayq"
check "purge removed group relayq-drop" sh -c "! chroot '$R' getent group relayq-drop"
check "purge removed group relayq" sh -c "! chroot '$R' getent group relayq"
check "purge left dpkg nothing of relayq" sh -c "! chroot '$R' dpkg-query -W relayq 2>/dev/null | grep -q ."
# As piuparts does: every package installed with relayq (dependencies,
# recommends) is purged too, so what remains is what relayq itself left.
installed | comm -13 "$T/pkgs-before.txt" - > "$T/pkgs-new.txt"
# shellcheck disable=SC2046
apt_root purge $(cat "$T/pkgs-new.txt") > "$T/depspurge.log" 2>&1
assert_eq "purging relayq's dependencies: exit 0" 0 "$?"
# /etc/mailname stays on purge (other programs read it; postfix, exim4
# and nullmailer keep it too).  adduser's backups of the account files
# are not ours (piuparts ignores them as well).
snapshot | grep -v -x -e /etc/mailname -e /etc/passwd- -e /etc/group- \
	-e /etc/shadow- -e /etc/gshadow- > "$T/after.txt"
comm -13 "$T/before.txt" "$T/after.txt" > "$T/left.txt"
assert_eq "purge: no file left that relayq created" "" "$(cat "$T/left.txt")"

# ---- make install into /usr/local says /usr/sbin/sendmail is untouched --
in_root sh /tmp/src/packaging/install.sh "" /usr/local/sbin /usr/local/bin \
	/usr/local/share/man /etc/relayq /tmp/src/build /usr/local/libexec/relayq > "$T/local.out" 2>&1
assert_eq "make install PREFIX=/usr/local: exit 0" 0 "$?"
assert_grep "says /usr/sbin/sendmail is left untouched" "/usr/sbin/sendmail (none installed now) is left untouched" "$T/local.out"

echo "# t_package took $(( $(date +%s) - started )) s"
if [ "$_fails" -ne 0 ]; then
	for f in install reinstall remove purge depspurge reconf run send local; do
		echo "# --- $f.log/out"; sed 's/^/#   /' "$T/$f.log" "$T/$f.txt" "$T/$f.out" 2>/dev/null | tail -n 25
	done
fi
finish
