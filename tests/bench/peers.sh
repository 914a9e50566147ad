# peers.sh: the mailers `make bench` measures relayq's end-to-end latency
# against (sourced by run.sh, after lib.sh and postfix.sh).
#
# Postfix as a null client (STANDARD_CONFIGURATION_README, "Postfix on a
# null client"): a private instance under DIR with its own config_directory
# (DIR/etc), queue (DIR/queue) and log (DIR/maillog, through postlogd as
# tests/integration/postfix.sh does), started with `postfix -c DIR/etc
# start` and driven with its own `sendmail -C DIR/etc`.  main.cf is the
# recipe, nothing tuned: relayhost = [127.0.0.1]:PORT, inet_interfaces =
# loopback-only, mydestination empty, myorigin = $mydomain, local delivery
# off (local_transport = error:..., no "local" service); every other
# parameter at its default (in_flow_delay 1s, qmgr and pickup woken
# through their public FIFOs, smtp_connection_cache_on_demand yes, ...).
# master.cf is Debian's shipped master.cf.dist up to postlog with two
# changes: no "smtp inet" listener (a null client receives nothing, and
# the bench must not bind port 25) and no "local" service; chroot is off
# (the jail needs files copied in; it is not a speed setting).
#
#   bench_postfix_start DIR SINKPORT   0 once master runs
#   bench_postfix_sendmail              Postfix's sendmail, or empty (with
#                                       the reason on stderr) if the one at
#                                       $PF_SENDMAIL is not Postfix's
#   bench_msmtp_conf FILE SINKPORT      an msmtp configuration for the sink
#   bench_peer_lines                    one line a peer: measured or why not

PF_SENDMAIL=${PF_SENDMAIL:-/usr/sbin/sendmail}

bench_postfix_sendmail() {
	if [ ! -x /usr/sbin/postfix ]; then
		echo "Postfix is not installed" >&2
	elif ! grep -q postdrop "$PF_SENDMAIL" 2>/dev/null; then
		echo "$PF_SENDMAIL is not Postfix's sendmail (set PF_SENDMAIL)" >&2
	else
		echo "$PF_SENDMAIL"
	fi
}

bench_postfix_start() {
	_bp=$1
	mkdir -p "$_bp" && _pf_layout "$_bp" || return 1
	cat > "$_bp/etc/main.cf" <<EOF
# Postfix as a null client for make bench (tests/bench/peers.sh)
compatibility_level = 3.6
mail_owner = postfix
setgid_group = postdrop
queue_directory = $_bp/queue
data_directory = $_bp/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
maillog_file = $_bp/maillog
maillog_file_prefixes = $_bp
myhostname = client.relayq.test
mydomain = example.org
myorigin = \$mydomain
relayhost = [127.0.0.1]:$2
inet_interfaces = loopback-only
inet_protocols = ipv4
mydestination =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
EOF
	awk '/^#/ || NF == 0 { next }
	     $1 == "smtp" && $2 == "inet" { next }
	     $1 == "local" { next }
	     $5 == "y" { $5 = "n" }
	     { print }
	     $1 == "postlog" { exit }' /usr/share/postfix/master.cf.dist > "$_bp/etc/master.cf"
	touch "$_bp/queue/quick-start"
	_pf_age "$_bp"
	postfix -c "$_bp/etc" start > "$_bp/start.out" 2>&1 || { cat "$_bp/start.out" >&2; return 1; }
	_bi=0
	while [ ! -S "$_bp/queue/public/pickup" ] || [ ! -S "$_bp/queue/public/qmgr" ]; do
		_bi=$((_bi + 1)); sleep 0.05
		[ "$_bi" -gt 100 ] && { echo "bench: Postfix's master made no public/pickup, public/qmgr" >&2; return 1; }
	done
}

bench_msmtp_conf() {
	printf '%s\n' "account default" "host 127.0.0.1" "port $2" \
		"from bench@example.org" "domain client.relayq.test" \
		"auth off" "tls off" "syslog off" > "$1"
	chmod 600 "$1"
}

# dma and nullmailer have one system-wide configuration and queue (dma:
# /etc/dma, nullmailer: /etc/nullmailer and its nullmailer-send daemon);
# both packages are MTAs that replace the system's, so the bench only says
# whether they are there.  msmtp (the msmtp package, not msmtp-mta) takes
# -C and sends before it exits: measured when installed, as a reference.
bench_peer_lines() {
	if command -v msmtp > /dev/null 2>&1; then
		echo "peer msmtp $(msmtp --version | sed -n '1s/^msmtp version //p'): measured (no queue: it sends before it exits, a reference, not a target)"
	else
		echo "peer msmtp: not installed, skipped (apt-get install msmtp, not msmtp-mta, adds a reference row)"
	fi
	for _bpeer in dma nullmailer; do
		if dpkg-query -W -f '${Status}' "$_bpeer" 2>/dev/null | grep -q 'ok installed'; then
			echo "peer $_bpeer: installed, not driven (a system-wide configuration and queue: measuring it would take over the system MTA's)"
		else
			echo "peer $_bpeer: not installed, skipped (installing it replaces the system MTA)"
		fi
	done
}
