# postfix.sh: a private, throwaway Postfix instance as the smarthost of an
# integration test.  Source it (after lib.sh if you use lib.sh):
#
#   . "$TOP/tests/integration/postfix.sh"
#   PF=$T/pf; PORT=$(free_port)
#   postfix_start "$PF" "$PORT" || exit 1   # modes: see below
#   at_exit "postfix_stop $PF"
#   ... point relayq at 127.0.0.1:$PORT, submit, run the queue ...
#   postfix_wait_mail "$PF" 1 10 || not_ok "mail arrived"
#   f=$(postfix_mails "$PF" | head -n 1)    # DIR/mail/<seq>.eml
#   postfix_env "$f" recipient              # -> bob@example.org
#   postfix_message "$f" > got.eml          # the bytes as relayed (see below)
#
# Everything lives under DIR: DIR/etc (config_directory: main.cf, master.cf),
# DIR/queue, DIR/data, DIR/maillog (Postfix's own log, via postlogd), and
# DIR/mail where every received message is stored.  The only network
# listener is smtpd on 127.0.0.1:PORT (plus an smtps one in "tls" mode).
# Several instances may run at once (distinct DIR and PORT).  Needs root and
# the Debian postfix package (tests/deps.sh installs it).
#
# Stored mail: Postfix routes every recipient of every domain to a pipe(8)
# transport "store" (one delivery per recipient), which writes
#   DIR/mail/<ns-time>.<pid>.eml  the message exactly as Postfix queued it:
#                                 ONE "Received:" header added by this Postfix
#                                 (possibly folded over several lines), then
#                                 the client's header and body unchanged,
#                                 LF line ends, dots un-stuffed.  No header
#                                 rewriting (local_header_rewrite_clients is
#                                 empty), nothing else added.
#   DIR/mail/<ns-time>.<pid>.env  "key value" lines: queue_id, sender (empty
#                                 for <>), recipient, original_recipient,
#                                 client_address, helo, protocol (ESMTP,
#                                 ESMTPS, ESMTPSA...), sasl_method,
#                                 sasl_username, size.
# The .env file is complete before the .eml appears; names sort in delivery
# order.  postfix_message FILE prints the .eml without the Received header.
#
# Modes (third argument, comma separated, default "plain"):
#   plain   open relay for 127.0.0.0/8, no TLS, no AUTH
#   tls     STARTTLS offered (security level may) with a server certificate
#           for localhost/127.0.0.1 signed by a throwaway CA (DIR/tls/ca.pem,
#           see postfix_ca), plus an smtps (wrapper mode) listener on a second
#           free port (see postfix_smtps_port)
#   sasl    AUTH offered (Cyrus SASL, sasldb2 in DIR/sasldb2; mechanisms
#           PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256) and
#           REQUIRED for relaying (mynetworks no longer trusted); one user
#           "$PF_SASL_USER" / "$PF_SASL_PASS" (testuser / testpass) is made;
#           add more with postfix_add_user
#   tlsonly STARTTLS required before MAIL (implies tls)
#   authtls AUTH offered only after STARTTLS (implies tls and sasl)
#
# Other server behaviour: postfix_rcpt_rule / postfix_sender_rule add access
# rules (e.g. a 550 or 451 for one recipient), effective from the next
# connection; postfix_set changes main.cf parameters and reloads.

PF_HOSTNAME=${PF_HOSTNAME:-smarthost.relayq.test}
PF_SASL_USER=${PF_SASL_USER:-testuser}
PF_SASL_PASS=${PF_SASL_PASS:-testpass}
PF_STORE_USER=${PF_STORE_USER:-nobody}

# postfix_start DIR PORT [MODES]: configure and start; returns once smtpd
# listens.  Non-zero (with the reason and log on stderr) on failure.
postfix_start() {
	_pf_d=$1 _pf_port=$2 _pf_modes=,${3:-plain},
	case $_pf_modes in *,authtls,*) _pf_modes=$_pf_modes,tls,sasl, ;; esac
	case $_pf_modes in *,tlsonly,*) _pf_modes=$_pf_modes,tls, ;; esac
	mkdir -p "$_pf_d" || return 1
	_pf_d=$(cd "$_pf_d" && pwd)
	_pf_layout "$_pf_d" || return 1
	_pf_main_cf "$_pf_d" >"$_pf_d/etc/main.cf"
	_pf_master_cf "$_pf_d" "$_pf_port" >"$_pf_d/etc/master.cf"
	echo "$_pf_port" >"$_pf_d/port"
	case $_pf_modes in *,tls,*) _pf_tls "$_pf_d" "$_pf_modes" || return 1 ;; esac
	case $_pf_modes in *,sasl,*) _pf_sasl "$_pf_d" "$_pf_modes" || return 1 ;; esac
	case $_pf_modes in *,authtls,*) _pf_conf "$_pf_d" smtpd_tls_auth_only=yes ;; esac
	case $_pf_modes in *,tlsonly,*) _pf_conf "$_pf_d" smtpd_tls_security_level=encrypt ;; esac
	# The queue directories are made by _pf_layout; the quick-start flag skips
	# postfix-script's checks (2 s of post-install and find).
	touch "$_pf_d/queue/quick-start"
	_pf_age "$_pf_d"
	if ! postfix -c "$_pf_d/etc" start >"$_pf_d/start.out" 2>&1; then
		echo "postfix_start: postfix start failed:" >&2
		cat "$_pf_d/start.out" "$_pf_d/maillog" >&2 2>/dev/null
		return 1
	fi
	_pf_wait_listen "$_pf_port" || { postfix_log_dump "$_pf_d"; return 1; }
	if [ -s "$_pf_d/smtps_port" ]; then
		_pf_wait_listen "$(cat "$_pf_d/smtps_port")" || return 1
	fi
}

# postfix_stop DIR: stop the instance (waits for master to exit).
postfix_stop() {
	[ -f "$1/etc/main.cf" ] || return 0
	_pf_pid=$(head -n 1 "$1/queue/pid/master.pid" 2>/dev/null | tr -dc 0-9)
	[ -n "$_pf_pid" ] && kill -0 "$_pf_pid" 2>/dev/null || return 0
	kill "$_pf_pid"	# what "postfix stop" does, without its 1 s polling
	_pf_i=0
	while _pf_alive "$_pf_pid"; do
		_pf_i=$((_pf_i + 1))
		if [ "$_pf_i" -gt 100 ]; then
			kill -9 -"$_pf_pid" "$_pf_pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	rm -f "$1/queue/pid/master.pid"
}
# _pf_alive PID: running and not a zombie (a daemon's zombie may linger when
# PID 1 of a container reaps slowly).
_pf_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# postfix_reload DIR: re-read main.cf/master.cf and restart the daemons.
postfix_reload() { postfix -c "$1/etc" reload >/dev/null 2>&1; sleep 0.3; }

# postfix_set DIR name=value...: change main.cf parameters, then reload.
postfix_set() {
	_pf_sd=$1; shift
	_pf_conf "$_pf_sd" "$@" && postfix_reload "$_pf_sd"
}

# postfix_rcpt_rule DIR REGEX ACTION: e.g. postfix_rcpt_rule "$PF" '^bad@'
# '550 5.1.1 no such user' (or '451 4.3.0 later', 'DISCARD', 'HOLD').  Rules
# apply to connections opened afterwards (smtpd serves one client per process).
postfix_rcpt_rule() { printf '/%s/ %s\n' "$2" "$3" >>"$1/rcpt_access"; }
# postfix_sender_rule DIR REGEX ACTION: same for MAIL FROM.
postfix_sender_rule() { printf '/%s/ %s\n' "$2" "$3" >>"$1/sender_access"; }

# postfix_wait_mail DIR N [TIMEOUT]: until at least N messages were stored
# (one per recipient), TIMEOUT seconds (default 10).  0 if so.
postfix_wait_mail() {
	_pf_i=0 _pf_max=$(( ${3:-10} * 10 ))
	while [ "$(postfix_count "$1")" -lt "$2" ]; do
		_pf_i=$((_pf_i + 1)); [ "$_pf_i" -gt "$_pf_max" ] && return 1
		sleep 0.1
	done
}

# postfix_count DIR: number of stored messages.
postfix_count() { postfix_mails "$1" | grep -c . ; }

# postfix_mails DIR: the stored .eml files, one path a line, oldest first.
postfix_mails() {
	for _pf_f in "$1"/mail/*.eml; do [ -f "$_pf_f" ] && echo "$_pf_f"; done | sort
}

# postfix_env FILE.eml KEY: one envelope value of a stored message, e.g.
# sender, recipient, protocol, sasl_username (see the top of this file).
postfix_env() { sed -n "s/^$2 //p" "${1%.eml}.env"; }

# postfix_env_of DIR SUBJECT: the .env of the stored message with that
# Subject (waits up to 10 s: Postfix delivers in the background); 1 if none.
postfix_env_of() {
	_pf_i=0
	while [ "$_pf_i" -lt 100 ]; do
		_pf_m=$(grep -l "^Subject: $2\$" "$1"/mail/*.eml 2>/dev/null | head -n 1)
		[ -n "$_pf_m" ] && { echo "${_pf_m%.eml}.env"; return 0; }
		_pf_i=$((_pf_i + 1)); sleep 0.1
	done
	return 1
}

# postfix_message FILE.eml: the message as the client sent it (the .eml less
# the first header, the Received: line this Postfix added).
postfix_message() { awk 'NR == 1 { skip = 1; next } skip && /^[ \t]/ { next } { skip = 0; print }' "$1"; }

# postfix_body FILE.eml: the body only (after the first empty line).
postfix_body() { sed '1,/^$/d' "$1"; }

# postfix_log DIR: the path of the instance's log file (Postfix's maillog).
postfix_log() { echo "$1/maillog"; }
postfix_log_dump() { echo "--- $1/maillog" >&2; cat "$1/maillog" >&2 2>/dev/null; }

# postfix_queue DIR: what is still queued (postqueue -p).
postfix_queue() { postqueue -c "$1/etc" -p 2>&1; }

# postfix_flush DIR: retry deferred mail now (postqueue -f).
postfix_flush() { postqueue -c "$1/etc" -f 2>&1; }

# postfix_port DIR / postfix_smtps_port DIR / postfix_ca DIR.
postfix_port() { cat "$1/port"; }
postfix_smtps_port() { cat "$1/smtps_port"; }
postfix_ca() { echo "$1/tls/ca.pem"; }

# postfix_add_user DIR USER PASS: a sasldb2 user (sasl modes).  The realm is
# the instance's host name, which Cyrus uses for a bare user name.
postfix_add_user() {
	printf '%s' "$3" | saslpasswd2 -p -c -f "$1/sasldb2" -u "$PF_HOSTNAME" "$2" &&
		chown postfix:postfix "$1/sasldb2" && chmod 600 "$1/sasldb2"
}

# postfix_add_realm_user DIR USER PASS REALM: a sasldb2 user in REALM
# (saslpasswd2 -u REALM), e.g. a realm other than the one the server offers
# (smtpd_sasl_local_domain, else the host name).  Cyrus then knows the user
# only as USER@REALM.
postfix_add_realm_user() {
	printf '%s' "$3" | saslpasswd2 -p -c -f "$1/sasldb2" -u "$4" "$2" &&
		chown postfix:postfix "$1/sasldb2" && chmod 600 "$1/sasldb2"
}

# postfix_send PORT FROM RCPTS FILE [CONNECT]: a minimal SMTP client (EHLO,
# MAIL, RCPT..., DATA, QUIT) sending FILE (LF or CRLF lines; dot-stuffed here)
# to 127.0.0.1:PORT.  RCPTS is space separated.  CONNECT is "plain" (default,
# nc), "starttls" or "smtps" (openssl s_client, verifying against
# $PF_CA_FILE if set).  With PF_AUTH="user pass" it does AUTH PLAIN.  Prints
# the transcript (C: / S: lines) on stdout; returns 0 iff every reply was
# positive.  Times out after 20 s.
postfix_send() {
	_pf_w=$(mktemp -d /tmp/pfsend.XXXXXX) || return 1
	mkfifo "$_pf_w/in" "$_pf_w/out"
	case ${5:-plain} in
	plain) nc -N 127.0.0.1 "$1" <"$_pf_w/in" >"$_pf_w/out" 2>/dev/null & ;;
	starttls|smtps)
		_pf_st=""; [ "$5" = starttls ] && _pf_st="-starttls smtp"
		# shellcheck disable=SC2086
		openssl s_client -quiet -nocommands -connect "127.0.0.1:$1" $_pf_st \
			${PF_CA_FILE:+-CAfile "$PF_CA_FILE" -verify_return_error} \
			-servername localhost \
			<"$_pf_w/in" >"$_pf_w/out" 2>"$_pf_w/tls.err" & ;;
	esac
	_pf_cpid=$!
	( sleep 20; kill "$_pf_cpid" ) >/dev/null 2>&1 &
	_pf_dog=$!
	exec 3>"$_pf_w/in" 4<"$_pf_w/out"
	_pf_dialog "$2" "$3" "$4" "${5:-plain}"
	_pf_rc=$?
	if [ "$_pf_rc" -ne 0 ]; then _pf_say QUIT; _pf_reply; fi >/dev/null 2>&1
	exec 3>&- 4<&-
	wait "$_pf_cpid" 2>/dev/null
	kill "$_pf_dog" 2>/dev/null
	[ "$_pf_rc" -ne 0 ] && [ -s "$_pf_w/tls.err" ] && sed 's/^/TLS: /' "$_pf_w/tls.err"
	rm -rf "$_pf_w"
	return "$_pf_rc"
}

# ---- internals -------------------------------------------------------------

_pf_conf() { _pf_cd=$1; shift; postconf -c "$_pf_cd/etc" -e "$@" && _pf_age "$_pf_cd"; }

# Postfix waits (in 0.3 s steps) until main.cf is older than its reader's
# clock second; back-date the configuration so nothing waits.
_pf_age() { touch -d '5 seconds ago' "$1/etc/main.cf" "$1/etc/master.cf"; }

_pf_wait_listen() {
	_pf_i=0
	while ! ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 "; do
		_pf_i=$((_pf_i + 1))
		if [ "$_pf_i" -gt 100 ]; then
			echo "postfix_start: nothing listens on 127.0.0.1:$1" >&2
			return 1
		fi
		sleep 0.05
	done
}

_pf_layout() {
	mkdir -p "$1/etc" "$1/queue" "$1/data" "$1/mail/tmp" || return 1
	chmod 755 "$1" "$1/etc" "$1/queue"
	chown postfix:postfix "$1/data" || return 1
	# The queue as post-install would make it (postfix-files), done directly.
	for _pf_q in active bounce corrupt defer deferred flush hold incoming \
	             private saved trace; do
		mkdir -p "$1/queue/$_pf_q" && chmod 700 "$1/queue/$_pf_q" &&
			chown postfix:root "$1/queue/$_pf_q" || return 1
	done
	mkdir -p "$1/queue/pid" "$1/queue/public" "$1/queue/maildrop"
	chmod 755 "$1/queue/pid"; chmod 710 "$1/queue/public"; chmod 1730 "$1/queue/maildrop"
	chown postfix:postdrop "$1/queue/public" "$1/queue/maildrop" || return 1
	chown "$PF_STORE_USER" "$1/mail" "$1/mail/tmp" || return 1
	: >"$1/maillog"; : >"$1/rcpt_access"; : >"$1/sender_access"
	_pf_store_script >"$1/store.sh"
	chmod 755 "$1/store.sh"
}

# The pipe(8) command: argv = maildir, then the envelope values.
_pf_store_script() {
	cat <<'EOF'
#!/bin/sh
# store.sh MAILDIR queue_id sender recipient original_recipient client helo
#          protocol sasl_method sasl_username size   (message on stdin)
umask 022
d=$1; shift
n=$(date +%s%N).$$
{
	for k in queue_id sender recipient original_recipient client_address \
	         helo protocol sasl_method sasl_username size; do
		printf '%s %s\n' "$k" "$1"; shift
	done
} >"$d/tmp/$n.env" || exit 75
cat >"$d/tmp/$n.eml" || exit 75
mv "$d/tmp/$n.env" "$d/$n.env" && mv "$d/tmp/$n.eml" "$d/$n.eml" || exit 75
EOF
}

_pf_main_cf() {
	cat <<EOF
# private test instance made by tests/integration/postfix.sh
compatibility_level = 3.6
mail_owner = postfix
setgid_group = postdrop
queue_directory = $1/queue
data_directory = $1/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
maillog_file = $1/maillog
maillog_file_prefixes = $1
myhostname = $PF_HOSTNAME
mydomain = relayq.test
myorigin = \$myhostname
mydestination =
relay_domains =
local_recipient_maps =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtp_bind_address = 127.0.0.1
default_transport = store
relay_transport = store
local_transport = store
store_destination_recipient_limit = 1
local_header_rewrite_clients =
append_dot_mydomain = no
biff = no
smtputf8_enable = yes
smtpd_banner = \$myhostname ESMTP relayq-test-postfix
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access regexp:$1/rcpt_access
smtpd_sender_restrictions = check_sender_access regexp:$1/sender_access
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_reject_unlisted_recipient = no
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 1000
smtpd_client_connection_rate_limit = 0
message_size_limit = 52428800
delay_warning_time = 0
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
bounce_queue_lifetime = 1h
maximal_queue_lifetime = 1h
notify_classes =
soft_bounce = no
EOF
}

_pf_master_cf() {
	cat <<EOF
# private test instance: one inet listener, 127.0.0.1:$2; no chroot.
127.0.0.1:$2 inet n - n - - smtpd -o max_use=1
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
store     unix  -       n       n       -       -       pipe
  flags= null_sender= user=$PF_STORE_USER argv=$1/store.sh $1/mail \${queue_id} \${sender} \${recipient} \${original_recipient} \${client_address} \${client_helo} \${client_protocol} \${sasl_method} \${sasl_username} \${size}
EOF
}

# TLS: a throwaway CA and a server certificate for localhost / 127.0.0.1.
_pf_tls() {
	_pf_t=$1/tls
	mkdir -p "$_pf_t" && chmod 755 "$_pf_t"
	(
		cd "$_pf_t" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=relayq test CA" \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
			-nodes -keyout server.key -out server.csr -subj "/CN=localhost" &&
		printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1${PF_TLS_SAN:+,$PF_TLS_SAN}" \
			"basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth" >ext.cnf &&
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out server.pem -days 2 -extfile ext.cnf
	) >"$_pf_t/openssl.log" 2>&1 || { cat "$_pf_t/openssl.log" >&2; return 1; }
	chmod 600 "$_pf_t/server.key" "$_pf_t/ca.key"
	_pf_conf "$1" smtpd_tls_security_level=may \
		"smtpd_tls_cert_file=$_pf_t/server.pem" \
		"smtpd_tls_key_file=$_pf_t/server.key" \
		smtpd_tls_received_header=yes smtpd_tls_loglevel=1 \
		"smtpd_tls_session_cache_database=btree:$1/data/smtpd_scache"
	_pf_sp=$(free_port "$(cat "$1/port")")
	echo "$_pf_sp" >"$1/smtps_port"
	printf '127.0.0.1:%s inet n - n - - smtpd -o max_use=1 -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt\n' \
		"$_pf_sp" >>"$1/etc/master.cf"
}

# SASL: Cyrus with a private smtpd.conf and sasldb2; relaying needs AUTH.
_pf_sasl() {
	# Debian's smtpd reads $config_directory/sasl/smtpd.conf whatever
	# cyrus_sasl_config_path says (set anyway for an upstream build).
	mkdir -p "$1/etc/sasl"
	printf '%s\n' "pwcheck_method: auxprop" "auxprop_plugin: sasldb" \
		"mech_list: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256" \
		"sasldb_path: $1/sasldb2" "log_level: 3" >"$1/etc/sasl/smtpd.conf"
	chmod 644 "$1/etc/sasl/smtpd.conf"
	postfix_add_user "$1" "$PF_SASL_USER" "$PF_SASL_PASS" || return 1
	_pf_conf "$1" smtpd_sasl_auth_enable=yes smtpd_sasl_type=cyrus \
		smtpd_sasl_path=smtpd "cyrus_sasl_config_path=$1/etc/sasl" \
		smtpd_sasl_security_options=noanonymous \
		smtpd_sasl_tls_security_options=noanonymous \
		"smtpd_sasl_local_domain=" "mynetworks="
}

# The client side of postfix_send, over fds 3 (to server) and 4 (from it).
_pf_say() { printf '%s\r\n' "$1" >&3; echo "C: $1"; }
_pf_reply() { # reads one (multi-line) reply; 0 iff 2xx/3xx
	while IFS= read -r _pf_l <&4; do
		_pf_l=$(printf '%s' "$_pf_l" | tr -d '\r')
		echo "S: $_pf_l"
		case $_pf_l in ???-*) continue ;; esac
		case $_pf_l in [23]??*) return 0 ;; *) return 1 ;; esac
	done
	echo "S: <connection closed>"; return 1
}
_pf_dialog() { # FROM RCPTS FILE CONNECT
	if [ "$4" != starttls ]; then _pf_reply || return 1; fi
	_pf_say "EHLO client.relayq.test"; _pf_reply || return 1
	if [ -n "${PF_AUTH:-}" ]; then
		# shellcheck disable=SC2086
		set -- "$@" $PF_AUTH
		# The transcript gets the line redacted, as relayq's -v does.
		printf 'AUTH PLAIN %s\r\n' "$(printf '\0%s\0%s' "$5" "$6" | base64 -w0)" >&3
		echo "C: AUTH PLAIN ***"
		_pf_reply || return 1
	fi
	_pf_say "MAIL FROM:<$1>"; _pf_reply || return 1
	for _pf_r in $2; do _pf_say "RCPT TO:<$_pf_r>"; _pf_reply || return 1; done
	_pf_say "DATA"; _pf_reply || return 1
	sed -e 's/\r$//' -e 's/^\./../' -e 's/$/\r/' "$3" >&3
	echo "C: <$(wc -c <"$3") bytes from $3>"
	_pf_say "."; _pf_reply || return 1
	_pf_say "QUIT"; _pf_reply
}
