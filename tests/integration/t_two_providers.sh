# t_two_providers: a laptop with a work and a home address, each sent
# through its own provider with its own login, over one durable queue —
# against two real Postfix instances, each with its own CA, certificate and
# SASL users (AUTH only after STARTTLS).  Both relays are "localhost" (on
# different ports), so the logins can only be told apart by the authinfo
# map's sender-qualified keys, AuthInfo:<host>/<sender>.
#   1. one queue run: alice@work.example -> A as "alice", alice@home.example
#      -> B as "alicehome" (its own key wins over the host's), anyone else
#      -> the smarthost A with the host's plain AuthInfo:localhost login
#   2. A down: the work route's fallback (B, which knows alice too) is used
#      and logged
#   3. the daemon: B changes alicehome's password and the authinfo map is
#      rebuilt; the next run uses the new one, no restart
#   4. relay_rate_limit 2: three messages, two reach the sink in the run's
#      first minute
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/postfix.sh"
. "$TOP/tests/integration/relayq.sh"

A=$T/pfa; B=$T/pfb; PA=$(free_port); PB=$(free_port)
PF_HOSTNAME=work-smtp.relayq.test postfix_start "$A" "$PA" authtls || { not_ok "postfix A starts"; finish; }
at_exit "postfix_stop $A"
PF_HOSTNAME=home-smtp.relayq.test postfix_start "$B" "$PB" authtls || { not_ok "postfix B starts"; finish; }
at_exit "postfix_stop $B"
PF_HOSTNAME=work-smtp.relayq.test postfix_add_user "$A" alice alicework
PF_HOSTNAME=home-smtp.relayq.test postfix_add_user "$B" alicehome homepw
PF_HOSTNAME=home-smtp.relayq.test postfix_add_user "$B" alice alicework
add_secret alicework; add_secret homepw; add_secret homepw2
cat "$(postfix_ca "$A")" "$(postfix_ca "$B")" > "$T/cas.pem"

RQ=$T/rq
rq_setup "$RQ" "$PA" "sender_relay hash:$RQ/sender_relay" "authinfo hash:$RQ/authinfo" \
	"auth optional" "tls_ca $T/cas.pem"
sed -i "s|^smarthost .*|smarthost localhost:$PA|" "$RQ/relayq.conf"
cat > "$RQ/sender_relay" <<EOF
alice@work.example	localhost:$PA localhost:$PB
alice@home.example	localhost:$PB
EOF
cat > "$RQ/authinfo" <<EOF
AuthInfo:localhost "U:alice" "P:alicework" "M:PLAIN"
AuthInfo:localhost/alice@work.example "U:alice" "P:alicework" "M:PLAIN"
AuthInfo:localhost/alice@home.example "U:alicehome" "P:homepw" "M:PLAIN"
EOF
build_maps() {
	"$BUILD/relayq-makemap" hash "$RQ/sender_relay" < "$RQ/sender_relay" &&
	chmod 644 "$RQ/sender_relay.db" &&
	"$BUILD/relayq-makemap" hash "$RQ/authinfo" < "$RQ/authinfo" &&
	chmod 600 "$RQ/authinfo.db"
}
check "maps built" build_maps
send() { printf 'From: %s\nSubject: %s\n\nx\n' "$1" "$2" | rq "$RQ" -f "$1" -odq -i "$2"; }
# env_at PF SUBJECT KEY: an envelope value of the mail with that Subject
# (each message's Subject is its recipient) stored by Postfix PF.
env_at() { _f=$(postfix_env_of "$1" "$2") && sed -n "s/^$3 //p" "$_f"; }
sasl_user() { env_at "$1" "$2" sasl_username; }

# --- 1. each sender through its own provider, in one run -------------------
send alice@work.example w1@example.net
send alice@home.example h1@example.net
send carol@example.org c1@example.net
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q
postfix_wait_mail "$A" 2 10; postfix_wait_mail "$B" 1 10
assert_eq "work mail: relay A, as alice" alice "$(sasl_user "$A" w1@example.net)"
assert_eq "home mail: relay B, as alicehome" alicehome "$(sasl_user "$B" h1@example.net)"
check "other mail: the smarthost (A)" [ -n "$(env_at "$A" c1@example.net recipient)" ]
assert_eq "... with the host's plain entry" alice "$(sasl_user "$A" c1@example.net)"
assert_eq "envelope sender kept" alice@home.example "$(env_at "$B" h1@example.net sender)"
assert_eq "nothing left queued" 0 "$(rq_queued "$RQ")"

# --- 2. A down: the work route falls back to B ------------------------------
postfix_stop "$A"
send alice@work.example w2@example.net
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q
postfix_wait_mail "$B" 2 10
assert_eq "A down: work mail through B, still as alice" alice "$(sasl_user "$B" w2@example.net)"
assert_grep "log: A failed, B took over" "relay localhost port $PB took over from localhost" "$(rq_log "$RQ")"

# --- 3. a new password, picked up by the running daemon -----------------------
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q30m -f 2>/dev/null &
DPID=$!
at_exit "kill $DPID"
PF_HOSTNAME=home-smtp.relayq.test postfix_add_user "$B" alicehome homepw2
send alice@home.example h2@example.net
kill -USR1 "$DPID"
_i=0; while ! grep -q "to=<h2@example.net>.*stat=Deferred" "$(rq_log "$RQ")" && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
assert_grep "old password: deferred by B" "to=<h2@example.net>.*stat=Deferred.*535" "$(rq_log "$RQ")"
sed -i 's/"P:homepw"/"P:homepw2"/' "$RQ/authinfo"
check "authinfo rebuilt" build_maps
kill -USR1 "$DPID"
check "new password used at the next run, no restart" postfix_wait_mail "$B" 3 15
assert_eq "... as alicehome" alicehome "$(sasl_user "$B" h2@example.net)"
check "the same daemon" kill -0 "$DPID"
kill "$DPID"; wait "$DPID"

# --- 4. relay_rate_limit 2: two a minute reach the sink ---------------------
echo "relay_rate_limit 2" >> "$RQ/relayq.conf"
for i in 1 2 3; do send alice@home.example "r$i@example.net"; done
"$BUILD/relayqd" -C "$RQ/relayq.conf" -q & RPID=$!
postfix_wait_mail "$B" 5 15
sleep 2
assert_eq "two of three sent within the minute" 5 "$(postfix_count "$B")"
kill "$RPID"; wait "$RPID"
assert_eq "the third waits in the queue" 1 "$(rq_queued "$RQ")"
finish
