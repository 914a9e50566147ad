# t_routes: relays chosen per message.  Four faultd servers on loopback:
# a smarthost list whose primary is down (nothing listens) or answers its
# greeting with 421 falls back to the next relay; a 5xx from the relay
# that took over is final and the bounce names that relay as Remote-MTA;
# a sender_relay map (text, then hash via relayq-makemap) sends
# alice@work.example and @private.example through their own relays, other
# senders through the smarthost; a bad map entry keeps that sender's mail
# queued with file:line in the log; two senders on one relay with their
# own authinfo "<host>/<sender>" logins get a session each, with their
# own login; a map changed between runs applies to the next run.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"
. "$TOP/tests/integration/tlslib.sh"

DEAD=$(free_port)
mkdir -p "$T/tls"; tls_make_ca "$T/tls"; tls_make_cert "$T/tls" srv "DNS:localhost,IP:127.0.0.1"
start_sink main
start_sink work -c "$T/tls/srv.pem" -k "$T/tls/srv.key" -- starttls "auth PLAIN" \
	"auth-user alice alicepw"
start_sink priv
start_sink busy -- "greeting 421 4.3.2 too busy, try later"
start_sink strict -- "rcpt refused@ 550 5.1.1 no such user"
got() { ls "$T/$1" 2>/dev/null | grep -c '^msg\.'; }	# got SINK: messages stored
sent_to() { grep -l "^RCPT TO:<$2>" "$T/$1"/msg.* 2>/dev/null | head -n 1; }
send() { printf 'Subject: %s\n\nx\n' "$3" | rq "$1" -f "$2" -i "$3"; }

# --- 1. fallback: the primary is down ---------------------------------------
rq_setup "$T/rq1" 1
sed -i "s|^smarthost .*|smarthost [127.0.0.1]:$DEAD localhost:$PORT_main|" "$T/rq1/relayq.conf"
send "$T/rq1" carol@example.org fb1@example.net
"$BUILD/relayqd" -C "$T/rq1/relayq.conf" -q
assert_eq "primary down: the fallback took the message" 1 "$(got main)"
assert_grep "log: the failed primary" "connection to 127.0.0.1 port $DEAD failed: .*trying the next relay" "$(rq_log "$T/rq1")"
assert_grep "log: which relay took over" "relay localhost port $PORT_main took over from 127.0.0.1" "$(rq_log "$T/rq1")"
assert_grep "log: the delivery names the relay used" "to=<fb1@example.net>.*relay=localhost \[.*stat=Sent" "$(rq_log "$T/rq1")"

# --- 2. greeting 421 moves on; a 5xx from the next relay is final ----------
rq_setup "$T/rq2" 1 "queue_warn 0"
sed -i "s|^smarthost .*|smarthost [127.0.0.1]:$PORT_busy localhost:$PORT_strict|" "$T/rq2/relayq.conf"
send "$T/rq2" carol@example.org refused@example.net
"$BUILD/relayqd" -C "$T/rq2/relayq.conf" -q
assert_grep "421 greeting: next relay" "connection to 127.0.0.1 port $PORT_busy failed: .*421.*trying the next relay" "$(rq_log "$T/rq2")"
assert_grep "550 from the fallback: failed, not retried elsewhere" "to=<refused@example.net>.*relay=localhost.*dsn=5.1.1, stat=Failed" "$(rq_log "$T/rq2")"
"$BUILD/relayqd" -C "$T/rq2/relayq.conf" -q	# the bounce goes out
dsn=$(sent_to strict carol@example.org)
check "the bounce reached the sender" [ -n "$dsn" ]
assert_grep "its Remote-MTA is the relay that answered" "^Remote-MTA: dns; localhost" "$dsn"

# --- 3. sender_relay: per sender and per domain ------------------------------
rq_setup "$T/rq3" "$PORT_main" "sender_relay text:$T/rq3/sender_relay" \
	"authinfo text:$T/rq3/authinfo" "auth optional" "tls none" "tls_ca $T/tls/ca.pem"
cat > "$T/rq3/sender_relay" <<EOF
alice@work.example	localhost:$PORT_work tls=starttls
@private.example	[127.0.0.1]:$DEAD 127.0.0.1:$PORT_priv tls=none
@work.example	127.0.0.1:$PORT_main tls=none
EOF
cat > "$T/rq3/authinfo" <<EOF
AuthInfo:localhost/alice@work.example "U:alice" "P:alicepw" "M:PLAIN"
EOF
chmod 600 "$T/rq3/authinfo"
add_secret alicepw
send "$T/rq3" alice@work.example w1@example.net
send "$T/rq3" Alice@Work.Example w2@example.net
send "$T/rq3" bob@private.example p1@example.net
send "$T/rq3" carol@example.org m1@example.net
send "$T/rq3" zed@work.example z1@example.net
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q
check "alice's mail went to her work relay" [ -n "$(sent_to work w1@example.net)" ]
check "the address matches whatever its case" [ -n "$(sent_to work w2@example.net)" ]
assert_grep "with her own login" "^C: AUTH PLAIN \*\*\*" "$T/work/transcript.log"
assert_no_grep "her login was accepted (no 535)" "^S: 535" "$T/work/transcript.log"
check "@private.example: its relay, after its dead primary" [ -n "$(sent_to priv p1@example.net)" ]
check "other senders: the smarthost" [ -n "$(sent_to main m1@example.net)" ]
check "the full address wins over its @domain entry" [ -n "$(sent_to main z1@example.net)" ]
assert_grep "alice's session used TLS" "^--- tls TLSv1" "$T/work/transcript.log"
assert_eq "nothing left queued" 0 "$(rq_queued "$T/rq3")"

# --- 4. a bad entry: that sender's mail waits, with file:line ---------------
printf 'dave@bad.example\t127.0.0.1:notaport\n' >> "$T/rq3/sender_relay"
send "$T/rq3" dave@bad.example bad1@example.net
send "$T/rq3" carol@example.org m2@example.net
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q
assert_grep "log: the map's file and line" "sender_relay: $T/rq3/sender_relay:4: entry for dave@bad.example: bad port \"notaport\"" "$(rq_log "$T/rq3")"
assert_eq "that message stays queued" 1 "$(rq_queued "$T/rq3")"
check "others still go out" [ -n "$(sent_to main m2@example.net)" ]
"$BUILD/relayq-showq" -C "$T/rq3/relayq.conf" > "$T/mailq" 2>&1 || "$BUILD/sendmail" -C "$T/rq3/relayq.conf" -bp > "$T/mailq"
assert_grep "mailq shows why" "sender_relay map unusable, see the log" "$T/mailq"

# --- 5. the map changes between runs: the next run uses it -----------------
sed -i "s|^dave@bad.example.*|dave@bad.example\t127.0.0.1:$PORT_priv|" "$T/rq3/sender_relay"
"$BUILD/relayqd" -C "$T/rq3/relayq.conf" -q
check "fixed entry: delivered through it on the next run" [ -n "$(sent_to priv bad1@example.net)" ]

# --- 6. hash map built by relayq-makemap ------------------------------------
rq_setup "$T/rq6" "$PORT_main" "sender_relay hash:$T/rq6/sender_relay"
printf '@work.example 127.0.0.1:%s\n' "$PORT_priv" > "$T/rq6/sender_relay"
"$BUILD/relayq-makemap" hash "$T/rq6/sender_relay" < "$T/rq6/sender_relay"
chmod 644 "$T/rq6/sender_relay.db"	# no secrets: relayqd reads it as relayq
send "$T/rq6" eve@work.example h1@example.net
"$BUILD/relayqd" -C "$T/rq6/relayq.conf" -q
check "hash map: routed by domain" [ -n "$(sent_to priv h1@example.net)" ]

# --- 7. the smarthost line refuses what it cannot mean ----------------------
rq_setup "$T/rq7" 1
sed -i "s|^smarthost .*|smarthost a.example b.example:99999|" "$T/rq7/relayq.conf"
"$BUILD/relayqd" -C "$T/rq7/relayq.conf" -I 2> "$T/rq7.err"
assert_eq "bad fallback port: exit 78 (EX_CONFIG)" 78 $?
assert_grep "says which line and why" "relayq.conf:[0-9]*: .*bad port \"99999\"" "$T/rq7.err"
finish
