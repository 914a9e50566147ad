#!/bin/sh
# deps.sh [build]: install what relayq's build (and, without "build", its
# tests) need on Debian 12.  Idempotent and fast when everything is there
# already (one dpkg-query per package).
#
# "build" (make demo): the compilers and -dev packages only.  Nothing else
# changes on the host: no MTA, no account, no service.
#
# Without it (make check): also the test tools, among them Postfix for the
# integration tests' private instances.  Postfix Conflicts with every other
# package that provides mail-transport-agent, so installing it would make
# apt remove the MTA the host has (nullmailer, msmtp-mta, exim4, dma, a
# relayq package...).  deps.sh refuses to do that unless
# RELAYQ_REPLACE_MTA=1, and says which package it would remove.  Postfix is
# installed unconfigured ("No configuration") with service starts blocked
# by a temporary policy-rc.d, and any system Postfix left running is
# stopped: the tests start private instances themselves
# (tests/integration/postfix.sh).  Also creates the system user and group
# "relayq" and the group "relayq-drop" that the tests and `make install`
# need.  Must run as root; no systemd is assumed.
set -eu

BUILD_PKGS="make gcc pkg-config libssl-dev openssl libsasl2-dev libsasl2-2
libsasl2-modules libdb5.3-dev libcurl4-openssl-dev libexpat1-dev libpsl-dev
iproute2 util-linux"
TEST_PKGS="clang libsasl2-modules-db sasl2-bin db5.3-util libcmocka-dev
dnsmasq-base mandoc procps netcat-openbsd ca-certificates postfix perl
logwatch"

case ${1:-all} in
build) PKGS=$BUILD_PKGS ;;
all) PKGS="$BUILD_PKGS $TEST_PKGS" ;;
*) echo "usage: sh tests/deps.sh [build]" >&2; exit 2 ;;
esac

missing() {
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$s" = installed ] || echo "$p"
	done
}

say() { echo "deps: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
	m=$(missing)
	if [ -n "$m" ]; then
		say "not root; missing packages:" $m
		exit 1
	fi
	exit 0
fi

# Installed packages other than postfix that provide mail-transport-agent.
other_mtas() {
	dpkg-query -W -f='${Package}\t${db:Status-Status}\t${Provides}\n' 2>/dev/null |
		awk -F '\t' '$2 == "installed" && $1 != "postfix" &&
			$3 ~ /(^|[ ,])mail-transport-agent([ ,(]|$)/ { print $1 }'
}

# Postfix would replace the host's MTA: only when the caller said so.
check_mta() {
	case " $(missing | tr '\n' ' ') " in *" postfix "*) ;; *) return 0 ;; esac
	mtas=$(other_mtas | tr '\n' ' ')
	[ -n "$mtas" ] || return 0
	if [ "${RELAYQ_REPLACE_MTA:-}" = 1 ]; then
		say "RELAYQ_REPLACE_MTA=1: apt will remove ${mtas}to install postfix"
		return 0
	fi
	say "this host's mail transport agent is: $mtas"
	say "the integration tests need the postfix package, which Conflicts with it:"
	say "installing postfix would REMOVE $mtas(and its configuration would stay"
	say "behind, unused).  Nothing was installed."
	say "  make demo                       needs no Postfix and changes nothing"
	say "  RELAYQ_REPLACE_MTA=1 make check  let apt replace ${mtas}with postfix"
	exit 1
}

# A policy-rc.d that forbids every service start, restoring any previous one.
PRC=/usr/sbin/policy-rc.d
PRC_SAVE=""
block_services() {
	if [ -e "$PRC" ]; then
		PRC_SAVE=$(mktemp /tmp/policy-rc.d.XXXXXX)
		cp -p "$PRC" "$PRC_SAVE"
	fi
	printf '#!/bin/sh\nexit 101\n' >"$PRC"
	chmod 755 "$PRC"
}
unblock_services() {
	if [ -n "$PRC_SAVE" ]; then
		mv -f "$PRC_SAVE" "$PRC"
		PRC_SAVE=""
	else
		rm -f "$PRC"
	fi
}

install_missing() {
	m=$(missing)
	[ -n "$m" ] || return 0
	say "installing:" $m
	export DEBIAN_FRONTEND=noninteractive
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
	echo "postfix postfix/mailname string localhost" | debconf-set-selections
	block_services
	trap 'unblock_services' EXIT
	trap 'exit 130' INT TERM
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $m
	unblock_services
	trap - EXIT
}

# The system instance must not run: it would hold port 25 and the default
# queue, and nothing here wants it.
stop_system_postfix() {
	[ -e /var/spool/postfix/pid/master.pid ] || return 0
	pid=$(tr -dc 0-9 </var/spool/postfix/pid/master.pid)
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	say "stopping the system postfix instance (pid $pid)"
	postfix stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
}

ensure_relayq_account() {
	getent group relayq >/dev/null || groupadd --system relayq
	getent group relayq-drop >/dev/null || groupadd --system relayq-drop
	getent passwd relayq >/dev/null ||
		useradd --system --gid relayq --no-create-home \
			--home-dir /nonexistent --shell /usr/sbin/nologin relayq
}

if [ "${1:-all}" = build ]; then
	install_missing
	exit 0
fi
check_mta
install_missing
stop_system_postfix
ensure_relayq_account
