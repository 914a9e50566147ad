# t_reload: relayqd -q30m picks up a changed relayq.conf and a rebuilt
# authinfo map (readable by root only) at its next queue run, without a
# restart and without the relayq user ever reading the map; a new
# configuration with errors is refused and the running one kept; SIGHUP
# reloads at once.  Two faultd servers: "a", and "b" with STARTTLS and a
# login whose password changes.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"

mkdir -p "$T/tls"; tls_make_ca "$T/tls"; tls_make_cert "$T/tls" srv "DNS:localhost,IP:127.0.0.1"
start_sink a
start_sink b -c "$T/tls/srv.pem" -k "$T/tls/srv.key" -- starttls "auth PLAIN" "auth-user bob newpass"
got() { grep -l "^RCPT TO:<$2>" "$T/$1"/msg.* 2>/dev/null | head -n 1; }
wait_got() { _i=0; while [ -z "$(got "$1" "$2")" ] && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done; [ -n "$(got "$1" "$2")" ]; }
send() { printf 'Subject: %s\n\nx\n' "$1" | rq "$RQ" -i "$1"; }

RQ=$T/rq
rq_setup "$RQ" "$PORT_a"
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q30m -f 2> "$T/daemon.err" &
DPID=$!
at_exit "kill $DPID"
send one@example.net
check "first message: smarthost a" wait_got a one@example.net

# --- 1. relayq.conf changes: the next run uses it ---------------------------
cat > "$RQ/authinfo" <<EOF
AuthInfo:localhost "U:bob" "P:oldpass" "M:PLAIN"
EOF
chmod 600 "$RQ/authinfo"; add_secret oldpass; add_secret newpass
sed -i "s|^smarthost .*|smarthost localhost:$PORT_b|" "$RQ/relayq.conf"
printf 'authinfo text:%s\ntls_ca %s\n' "$RQ/authinfo" "$T/tls/ca.pem" >> "$RQ/relayq.conf"
send two@example.net
sleep 2
assert_grep "log: the change was noticed" "relayq.conf changed: reloading before the next queue run" "$(rq_log "$RQ")"
assert_grep "the login with the old password was refused by b" "^S: 535" "$T/b/transcript.log"
check "so two@ is still queued" [ "$(rq_queued "$RQ")" -eq 1 ]
assert_grep "mailq says why" "535" "$RQ/spool/queue/"*.qf

# --- 2. the authinfo map (root only) changes: the next run uses it --------
cat > "$RQ/authinfo" <<EOF
AuthInfo:localhost "U:bob" "P:newpass" "M:PLAIN"
EOF
assert_eq "the map stays readable by root only" "600 root" "$(stat -c '%a %U' "$RQ/authinfo")"
kill -USR1 "$DPID"	# wake it: the reload's first run tries every message
check "two@ delivered with the new password, no restart" wait_got b two@example.net
assert_grep "log: the map change was noticed" "$RQ/authinfo changed: reloading" "$(rq_log "$RQ")"
check "the daemon is the same process" kill -0 "$DPID"

# --- 3. a broken relayq.conf is refused, the running one kept --------------
printf 'Subject: three\n\nx\n' | rq "$RQ" -odq -i three@example.net	# queued, no wake-up
echo "smarthost localhost:notaport" >> "$RQ/relayq.conf"
kill -USR1 "$DPID"
check "three@ still goes out on the running configuration" wait_got b three@example.net
assert_grep "log: the error, with its line" "relayq.conf:[0-9]*: .*bad port \"notaport\"" "$(rq_log "$RQ")"
assert_grep "log: the running configuration stays" "the new configuration has errors (see above): the running one stays in use" "$(rq_log "$RQ")"

# --- 4. SIGHUP reloads at once ------------------------------------------------
sed -i '$d' "$RQ/relayq.conf"
sed -i "s|^smarthost .*|smarthost 127.0.0.1:$PORT_a|" "$RQ/relayq.conf"
sed -i '/^authinfo /d; /^tls_ca /d' "$RQ/relayq.conf"
kill -HUP "$DPID"
sleep 1
assert_grep "log: SIGHUP" "SIGHUP: re-reading the configuration" "$(rq_log "$RQ")"
send four@example.net
check "four@ went to a, as the new file says" wait_got a four@example.net
kill "$DPID"; wait "$DPID"
assert_eq "SIGTERM: the daemon exits 0" 0 $?
check "no relayqd process left" sh -c "! pgrep -f '[r]elayqd -C $RQ/relayq.conf' >/dev/null"
finish
