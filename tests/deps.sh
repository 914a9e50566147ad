#!/bin/sh
# deps.sh: install everything relayq's build, tests and demo need on Debian 12.
# Idempotent and fast when everything is there already (one dpkg-query).
# Must run as root on a Debian machine; no systemd is assumed.  Postfix is
# installed unconfigured ("No configuration") with service starts blocked by a
# temporary policy-rc.d, and any system Postfix left running is stopped: the
# tests start private instances themselves (tests/integration/postfix.sh).
# Also creates the system user and group "relayq" and the group
# "relayq-drop" that `make install` needs.
set -eu

PKGS="make gcc clang pkg-config libssl-dev openssl libsasl2-dev libsasl2-2
libsasl2-modules libsasl2-modules-db sasl2-bin libdb5.3-dev db5.3-util
libcmocka-dev libcurl4-openssl-dev libexpat1-dev dnsmasq-base mandoc iproute2 procps netcat-openbsd
ca-certificates postfix perl util-linux
libpsl-dev"

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

install_missing
stop_system_postfix
ensure_relayq_account
