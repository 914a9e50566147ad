#!/bin/sh
# install.sh: install relayq.  Called by `make install` as
#   sh packaging/install.sh DESTDIR SBINDIR BINDIR MANDIR SYSCONF BUILDDIR [LIBEXEC]
# LIBEXEC defaults to "$(dirname SBINDIR)/libexec/relayq"; it must match the
# RELAYQ_LIBEXEC relayq was built with, since sendmail -q executes relayqd
# from there.  With an empty DESTDIR and run as root it also creates the
# relayq account (if missing) and the spool; with a DESTDIR (staging for a
# package) it only copies files, and the package's scripts do the rest.
# It refuses to replace a sendmail that is not relayq's (another MTA's,
# named through dpkg -S) unless FORCE=1 is in the environment.
set -eu

usage() {
	echo "usage: sh packaging/install.sh DESTDIR SBINDIR BINDIR MANDIR SYSCONF BUILDDIR [LIBEXEC]" >&2
	exit 64
}
[ $# -eq 6 ] || [ $# -eq 7 ] || usage

DESTDIR=$1
SBINDIR=$2
BINDIR=$3
MANDIR=$4
SYSCONF=$5
BUILDDIR=$6
PREFIX=$(dirname "$SBINDIR")
LIBEXEC=${7:-$PREFIX/libexec/relayq}
TOP=$(cd "$(dirname "$0")/.." && pwd)
PKG=$TOP/packaging

say() { echo "install: $*"; }
warn() { echo "install: warning: $*" >&2; }
die() { echo "install: $*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

have_group() {
	if command -v getent >/dev/null 2>&1; then
		getent group "$1" >/dev/null 2>&1
	else
		grep -q "^$1:" /etc/group 2>/dev/null
	fi
}

have_user() {
	if command -v getent >/dev/null 2>&1; then
		getent passwd "$1" >/dev/null 2>&1
	else
		grep -q "^$1:" /etc/passwd 2>/dev/null
	fi
}

# put SRC DEST MODE: copy through a temporary name in the destination
# directory and rename, so a running system never sees a half-written file.
put() {
	tmp="$2.tmp.$$"
	cp "$1" "$tmp"
	chmod "$3" "$tmp"
	mv -f "$tmp" "$2"
}

# Copy a text file with the default paths replaced by the configured ones.
put_subst() {
	tmp="$2.tmp.$$"
	sed -e "s|/usr/local/libexec/relayq|$LIBEXEC|g" \
	    -e "s|/usr/local/sbin|$SBINDIR|g" \
	    -e "s|/etc/relayq|$SYSCONF|g" "$1" >"$tmp"
	chmod "$3" "$tmp"
	mv -f "$tmp" "$2"
}

# put_setgid SRC DEST GROUP: a set-group-ID program.  chgrp clears the bit,
# so the mode is set afterwards.  Without the group the program is
# installed without the bit: set-group-ID to whatever group the installer
# happens to have would be wrong.  Staged (DESTDIR) copies never get it:
# the build host's group ids mean nothing where the files end up, and a
# package sets the mode from its own scripts (dpkg-statoverride).
put_setgid() {
	tmp="$2.tmp.$$"
	cp "$1" "$tmp"
	chmod 0755 "$tmp"
	if [ -n "$DESTDIR" ]; then
		:
	elif is_root && have_group "$3"; then
		chgrp "$3" "$tmp"
		chmod 2755 "$tmp"
	elif ! is_root; then
		warn "not root: $2 installed without its set-group-ID bit;"
		warn "  as root run: chgrp $3 $2 && chmod 2755 $2"
	else
		warn "no group $3: $2 installed without its set-group-ID bit;"
		warn "  create the group, then: chgrp $3 $2 && chmod 2755 $2"
	fi
	mv -f "$tmp" "$2"
}

# ln -sf, but say so when it replaces another MTA's real file.
link() {
	if [ -e "$2" ] && [ ! -L "$2" ]; then
		warn "replacing $2 with a link to $1"
	fi
	ln -sf "$1" "$2"
}

install_programs() {
	for p in sendmail relayqd relayq-showq relayq-queue relayq-makemap relayq-setup \
	    relayq-oauth2-refresh; do
		[ -x "$BUILDDIR/$p" ] || die "$BUILDDIR/$p missing: run make first"
	done
	mkdir -p "$DESTDIR$SBINDIR" "$DESTDIR$BINDIR" "$DESTDIR$LIBEXEC"
	# The submitter may only create files in maildrop/; the lister may
	# only read queue/'s state files.
	put_setgid "$BUILDDIR/sendmail" "$DESTDIR$SBINDIR/sendmail" relayq-drop
	put_setgid "$BUILDDIR/relayq-showq" "$DESTDIR$LIBEXEC/relayq-showq" relayq
	put "$BUILDDIR/relayqd" "$DESTDIR$LIBEXEC/relayqd" 0755
	# Run by relayqd (as relayq) to refresh OAuth2 tokens: curl stays out of relayqd.
	put "$BUILDDIR/relayq-oauth2-refresh" "$DESTDIR$LIBEXEC/relayq-oauth2-refresh" 0755
	# Not set-ID: it reads through relayq-showq and changes as root.
	put "$BUILDDIR/relayq-queue" "$DESTDIR$SBINDIR/relayq-queue" 0755
	put "$BUILDDIR/relayq-makemap" "$DESTDIR$SBINDIR/relayq-makemap" 0755
	put "$BUILDDIR/relayq-setup" "$DESTDIR$SBINDIR/relayq-setup" 0755
	link "$SBINDIR/sendmail" "$DESTDIR$BINDIR/mailq"
	link "$SBINDIR/sendmail" "$DESTDIR$BINDIR/newaliases"
}

install_man() {
	for sec in 5 8; do
		mkdir -p "$DESTDIR$MANDIR/man$sec"
		for page in "$TOP"/man/*."$sec"; do
			[ -e "$page" ] || continue
			put "$page" "$DESTDIR$MANDIR/man$sec/$(basename "$page")" 0644
		done
	done
	# `man sendmail` and friends, unless another MTA's pages are there.
	for name in sendmail mailq newaliases; do
		f=$DESTDIR$MANDIR/man8/$name.8
		if [ -L "$f" ] || [ ! -e "$f" ]; then
			ln -sf relayq.8 "$f"
		fi
	done
}

# The example always; relayq.conf only if there is none (never overwrite).
install_config() {
	mkdir -p "$DESTDIR$SYSCONF"
	put "$PKG/relayq.conf.example" "$DESTDIR$SYSCONF/relayq.conf.example" 0644
	if [ ! -e "$DESTDIR$SYSCONF/relayq.conf" ]; then
		put "$PKG/relayq.conf.example" "$DESTDIR$SYSCONF/relayq.conf" 0644
		say "installed $SYSCONF/relayq.conf: set smarthost there"
	fi
}

# systemd units and sysusers under PREFIX/lib (searched by systemd for
# /usr and /usr/local); nothing is enabled.  The NetworkManager hook goes
# to PREFIX/share/relayq for the administrator to copy.
install_integration() {
	units=$DESTDIR$PREFIX/lib/systemd/system
	share=$DESTDIR$PREFIX/share/relayq
	mkdir -p "$units" "$DESTDIR$PREFIX/lib/sysusers.d" "$share"
	for u in "$PKG"/*.service "$PKG"/*.socket "$PKG"/*.timer; do
		[ -e "$u" ] || continue
		put_subst "$u" "$units/$(basename "$u")" 0644
	done
	put "$PKG/sysusers-relayq.conf" "$DESTDIR$PREFIX/lib/sysusers.d/relayq.conf" 0644
	put_subst "$PKG/nm-dispatcher-relayq" "$share/nm-dispatcher-relayq" 0755
}

# Only on the live system, as root: the account first (the set-group-ID
# programs' groups).
create_account() {
	have_user relayq && have_group relayq && have_group relayq-drop && return 0
	if command -v systemd-sysusers >/dev/null 2>&1; then
		systemd-sysusers "$PKG/sysusers-relayq.conf"
	elif command -v useradd >/dev/null 2>&1; then
		have_group relayq || groupadd --system relayq
		have_group relayq-drop || groupadd --system relayq-drop
		have_user relayq || useradd --system --gid relayq --no-create-home \
			--home-dir /nonexistent --shell /usr/sbin/nologin relayq
	else
		warn "cannot create the user relayq and the groups relayq, relayq-drop: create them by hand"
		return 0
	fi
	say "created the system user relayq and the groups relayq, relayq-drop"
}

create_spool() {
	if ! have_user relayq; then
		warn "no user relayq: spool not created; create the user, then run $LIBEXEC/relayqd -I"
		return 0
	fi
	# OAuth2 token files (relayq-setup --oauth2): relayq's alone.
	install -d -m 0700 -o relayq -g relayq /var/lib/relayq/oauth2 ||
		warn "cannot create /var/lib/relayq/oauth2 (mode 0700, owner relayq)"
	if "$LIBEXEC/relayqd" -I; then
		say "spool ready (relayqd -I)"
	else
		warn "relayqd -I failed: check $SYSCONF/relayq.conf, then run it again"
	fi
}

# The package owning PATH on this system (dpkg -S), or nothing.
dpkg_owner() {
	command -v dpkg >/dev/null 2>&1 || return 0
	dpkg -S "$1" 2>/dev/null | grep -v '^diversion ' | sed -n '1s/: .*//p'
}

# A sendmail that relayq's make install put there: it runs relayq-showq.
is_relayq() { grep -a -q -F relayq-showq "$1" 2>/dev/null; }

# Before anything is written: never replace another MTA's sendmail by
# surprise.  FORCE=1 replaces it anyway (and says what it replaced).
guard_sendmail() {
	target=$DESTDIR$SBINDIR/sendmail
	[ -e "$target" ] || [ -L "$target" ] || return 0
	owner=""
	[ -n "$DESTDIR" ] || owner=$(dpkg_owner "$SBINDIR/sendmail")
	if [ -n "$owner" ]; then
		why="it belongs to the Debian package $owner"
		[ "$owner" != relayq ] ||
			why="$why: upgrade the package (make deb) instead, or dpkg puts its own copy back"
	elif is_relayq "$target"; then
		return 0
	else
		why="it is not relayq's and no package owns it"
	fi
	if [ "${FORCE:-0}" = 1 ]; then
		warn "FORCE=1: replacing $target: $why"
		return 0
	fi
	echo "install: refusing to replace $target: $why." >&2
	if [ -n "$owner" ] && [ "$owner" != relayq ]; then
		echo "install:   To make relayq the system MTA, install its Debian package" >&2
		echo "install:   (make deb; apt install ./build/deb/relayq_*.deb), which replaces $owner cleanly." >&2
	fi
	echo "install:   Or install elsewhere (PREFIX=/usr/local), or run again with FORCE=1 to replace it." >&2
	exit 1
}

# Say plainly when programs that run /usr/sbin/sendmail will not get
# relayq: the chosen prefix puts it somewhere else.
note_prefix() {
	[ "$SBINDIR" != /usr/sbin ] || return 0
	sys="/usr/sbin/sendmail"
	if [ -n "$DESTDIR" ]; then
		now=""
	elif [ -e "$sys" ] || [ -L "$sys" ]; then
		o=$(dpkg_owner "$sys")
		now=" (now ${o:+the package }${o:-a file no package owns})"
	else
		now=" (none installed now)"
	fi
	say "note: sendmail goes to $SBINDIR/sendmail; $sys$now is left untouched,"
	say "  so cron, mail(1) and other programs that run $sys will not use relayq."
	say "  For that, install the Debian package (make deb) or use PREFIX=/usr."
}

guard_sendmail
note_prefix
live=no
if [ -z "$DESTDIR" ] && is_root; then
	live=yes
	create_account
fi
install_programs
install_man
install_config
install_integration
if [ "$live" = yes ]; then
	create_spool
else
	say "spool not created (DESTDIR set or not root): as root run $LIBEXEC/relayqd -I"
fi
say "done.  Start delivery with one of:"
say "  systemctl enable --now relayqd.service relayq-submit.socket  (daemon, flushes on submit;"
say "                                               the socket serves sandboxed callers)"
say "  systemctl enable --now relayq-queue.timer    (a queue run every 15 min)"
say "  $SBINDIR/sendmail -q30m                        (daemon without systemd)"
