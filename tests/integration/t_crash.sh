# t_crash: SIGKILL at random moments, during submission and during queue
# runs against a live SMTP server (faultd, which stores every message it
# accepts).  Afterwards the queue is run to completion and the server's
# mail is counted per unique message id:
#   - every submission that exited 0 arrived (lost = 0);
#   - a killed submission arrived once or not at all, never half;
#   - a message arrived again only when a queue run was killed while it was
#     in flight (after the server's final 250, before the queue update,
#     invariant I5): every extra arrival, summed over all messages, needs
#     a killed queue run of its own.  Two runs killed in the same message's
#     window send it three times; on a loaded machine that happens.
# KILL_RUNS (default 300) iterations; `make stress` runs more.  The waits
# keep the shell's "Killed" job notices out of the output.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/relayq.sh"

RUNS=${KILL_RUNS:-300}
F=$T/server; mkdir -p "$F"; : > "$F/script"
PORT=$(free_port)
"$BUILD/faultd" -p "$PORT" -o "$F" -s "$F/script" & at_exit "kill $!"
wait_port "$PORT" || { not_ok "faultd starts"; finish; }
RQ=$T/rq
rq_setup "$RQ" "$PORT" "timeout_greeting 5s"

# rand N: a random integer in [0, N).
rand() { echo $(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % $1 )); }
# A 100 KB body widens the window in which a kill lands mid-write.
base64 -w 76 < /dev/urandom | head -c 100000 > "$T/filler"
message() { printf 'Subject: crash %s\nX-Test-Id: <%s>\n\n' "$1" "$1"; cat "$T/filler"; }
# submit_bg ID RCPT: sendmail in the background ($! is its pid), its input
# arriving in two parts 10 ms apart, so a kill at 0-30 ms lands before,
# during or after the reading, the writing and the commit.
submit_bg() {
	{ message "$1" | head -c 50000; sleep 0.01; message "$1" | tail -c +50001; } |
		"$BUILD/sendmail" -C "$RQ/relayq.conf" -i "$2" &
}

ok_ids=$T/ok_ids; : > "$ok_ids"	# submissions that exited 0
all_ids=$T/all_ids; : > "$all_ids"
sub_kills=0 run_kills=0 msgs=0
for i in $(seq 1 "$RUNS"); do
	# A submission killed after 0-15 ms (it takes a few ms in all).
	id="k$i"; msgs=$((msgs + 1)); echo "$id" >> "$all_ids"
	submit_bg "$id" "r$i@example.org"; pid=$!
	sleep "0.0$(printf '%02d' "$(rand 30)")"
	kill -9 "$pid" 2>/dev/null
	if wait "$pid" 2>/dev/null; then echo "$id" >> "$ok_ids"; else sub_kills=$((sub_kills + 1)); fi
	# Every third iteration: two clean submissions and a killed queue run.
	if [ $((i % 3)) -eq 0 ]; then
		for j in a b; do
			id="q$i$j"; msgs=$((msgs + 1)); echo "$id" >> "$all_ids"
			message "$id" | rq "$RQ" -i "r$i$j@example.org" && echo "$id" >> "$ok_ids"
		done
		"$BUILD/relayqd" -C "$RQ/relayq.conf" -q & pid=$!
		sleep "0.0$(printf '%02d' "$(rand 40)")"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || run_kills=$((run_kills + 1))
	fi
done
# Run the queue to completion.
for _ in 1 2 3; do "$BUILD/relayqd" -C "$RQ/relayq.conf" -q; done

grep -h '^X-Test-Id: <' "$F"/msg.* 2>/dev/null | sed 's/^X-Test-Id: <\(.*\)>.*/\1/' |
	sort | uniq -c | awk '{ print $2, $1 }' > "$T/arrived"
lost=0
while read -r id; do
	grep -q "^$id " "$T/arrived" || { lost=$((lost + 1)); echo "# lost: $id"; }
done < "$ok_ids"
dup=$(awk '$2 > 1' "$T/arrived" | wc -l)
extra=$(awk '{ n += $2 - 1 } END { print n + 0 }' "$T/arrived")
killed_sub_arrived=$(awk 'NR == FNR { ok[$1] = 1; next } /^k/ && !($1 in ok)' "$ok_ids" "$T/arrived" | wc -l)
echo "# kill test: $RUNS iterations, $msgs messages, $sub_kills submissions and $run_kills queue runs killed"
echo "# kill test: $(wc -l < "$ok_ids") submissions completed, $(wc -l < "$T/arrived") distinct messages arrived ($killed_sub_arrived of them from submissions killed after their commit), lost $lost, duplicated $dup"
assert_eq "kill test: no completed submission lost" 0 "$lost"
check "kill test: each extra arrival ($extra, of $dup messages) had a killed queue run ($run_kills)" \
	[ "$extra" -le "$run_kills" ]
assert_eq "kill test: queue empty at the end" 0 "$(rq_queued "$RQ")"
assert_eq "kill test: nothing quarantined" 0 "$(ls "$RQ/spool/quarantine" | wc -l)"
# Every stored message is whole: the body ends with the filler's last line.
whole=$(for m in "$F"/msg.*; do tail -c 64 "$m" | tr -d '\r' | tail -n 1; done | sort -u | wc -l)
assert_eq "kill test: every arrived message complete" 1 "$whole"
finish
