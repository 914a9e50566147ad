# relayq.sh: set up a relayq instance (config + spool) for a test.  Source
# after lib.sh.  Everything lives under one directory:
#   rq_setup DIR PORT [extra config lines]   writes DIR/relayq.conf, spool
#   rq DIR args...        runs $BUILD/sendmail -C DIR/relayq.conf args...
#   rq_send_v DIR SUBJ    one message to bob@example.org, a -v queue run
#   rq_queued DIR         number of queued messages (.df files)
#   rq_log DIR            path of relayq's log file

rq_setup() {
	_rq=$1; _port=$2; shift 2
	mkdir -p "$_rq"
	cat > "$_rq/relayq.conf" <<EOC
# written by tests/integration/relayq.sh
smarthost 127.0.0.1:$_port
hostname client.relayq.test
domain example.org
spool $_rq/spool
aliases $_rq/aliases
log_file $_rq/relayq.log
timeout_connect 5s
timeout_greeting 10s
retry_min 1m
submit_socket $_rq/submit
EOC
	for line in "$@"; do echo "$line" >> "$_rq/relayq.conf"; done
	[ -f "$_rq/aliases" ] || : > "$_rq/aliases"
	"$BUILD/relayqd" -C "$_rq/relayq.conf" -I
}

rq() { _rq=$1; shift; "$BUILD/sendmail" -C "$_rq/relayq.conf" "$@"; }
# rq_send_v DIR SUBJECT: submit one message to bob@example.org, then run
# the queue once with -v; the transcript goes to DIR/v.txt.
rq_send_v() {
	printf 'Subject: %s\n\nbody of %s\n' "$2" "$2" | rq "$1" -i bob@example.org
	"$BUILD/relayqd" -C "$1/relayq.conf" -q -v 2> "$1/v.txt"
}
rq_queued() { ls "$1/spool/queue" "$1/spool/maildrop" 2>/dev/null | grep -c -E '^[0-9A-Za-z]{14}(\.df)?$'; }
rq_log() { echo "$1/relayq.log"; }
