# t_makemap_interop: relayq-makemap and Debian's sendmail makemap read each
# other's maps (hash, btree; plain, -N, -f) byte for byte.
. "$TOP/tests/integration/lib.sh"

RQ=$BUILD/relayq-makemap
CACHE=${RELAYQ_TEST_CACHE:-/var/cache/relayq-test}

# fetch_sendmail: extracts sendmail-bin once into $CACHE/sendmail-bin.
fetch_sendmail() {
	_d=$CACHE/sendmail-bin
	[ -x "$_d/usr/libexec/sendmail/makemap" ] && return 0
	mkdir -p "$CACHE" || return 1
	( cd "$CACHE" && { ls sendmail-bin_*.deb >/dev/null 2>&1 ||
	    apt-get download sendmail-bin >/dev/null 2>&1 ||
	    { apt-get update >/dev/null 2>&1 &&
	      apt-get download sendmail-bin >/dev/null 2>&1; }; } &&
	  rm -rf sendmail-bin && dpkg -x sendmail-bin_*.deb sendmail-bin )
}

if ! fetch_sendmail; then
	# The interop claim rests on the real makemap: no download, no pass.
	not_ok "fetch Debian's sendmail-bin (apt-get download)"
	finish
fi
SMDIR=$CACHE/sendmail-bin
SM=$SMDIR/usr/libexec/sendmail/makemap
[ -x "$SM" ] || SM=$SMDIR/usr/sbin/makemap
# Its "WARNING: World writable directory /tmp" lines are noise here.
sm() {
	"$SM" -C /dev/null "$@" 2>"$T/sm.err"; _rc=$?
	grep -v '^WARNING: World writable' "$T/sm.err" >&2
	return $_rc
}

# The sample of makemap.md §3 plus a '#' inside a value.
printf '%s\n' '# authinfo sample' \
 'AuthInfo:smtp.Example.NET "U:Alice@Example.net" "I:alice" "P:s3cret pass" "M:PLAIN LOGIN"' \
 'AuthInfo:mid "U:a#b" "P:c"  # not a comment' \
 'AuthInfo: "U:default" "P:x"' \
 'AuthInfo:trail "U:t" "P:t"   ' >"$T/authinfo"
printf 'AuthInfo:192.0.2.25\t"U:bob" "P=c2VjcmV0"\n' >>"$T/authinfo"
printf 'AuthInfo:crlf "U:x" "P:y"\r\n' >>"$T/authinfo"
printf 'AuthInfo:[192.0.2.26] "I:lit" "P:z" "R:hub.example"\n' >>"$T/authinfo"

# dbpairs FILE: "key data" hex pairs from db5.3_dump -p, sorted.
dbpairs() {
	db5.3_dump -p "$1" | sed -n '/^HEADER=END/,/^DATA=END/p' |
	    grep '^ ' | paste - - | sort
}
dbhex() {
	db5.3_dump -da "$1" 2>/dev/null >/dev/null
	db5.3_dump "$1" | sed -n '/^HEADER=END/,/^DATA=END/p' | grep '^ ' |
	    paste - - | sort
}

for type in hash btree; do
	for fl in "" "-N" "-f" "-N -f"; do
		tag="$type${fl:+ $fl}"
		n=$(echo "$type$fl" | tr -d ' -')
		# shellcheck disable=SC2086
		sm $fl "$type" "$T/sm_$n" <"$T/authinfo" 2>/dev/null
		# shellcheck disable=SC2086
		"$RQ" $fl "$type" "$T/rq_$n" <"$T/authinfo" 2>"$T/err_$n"
		assert_eq "$tag: relayq-makemap exit status" 0 "$?"
		sm -u "$type" "$T/sm_$n" | sort >"$T/u_sm_$n"
		sm -u "$type" "$T/rq_$n" | sort >"$T/u_smrq_$n"
		"$RQ" -u "$type" "$T/sm_$n" | sort >"$T/u_rqsm_$n"
		check "$tag: sendmail -u of relayq map = sendmail -u of sendmail map" \
		    cmp -s "$T/u_sm_$n" "$T/u_smrq_$n"
		check "$tag: relayq -u of sendmail map = sendmail -u" \
		    cmp -s "$T/u_sm_$n" "$T/u_rqsm_$n"
		check "$tag: 7 records dumped" [ "$(wc -l <"$T/u_sm_$n")" -eq 7 ]
		dbhex "$T/sm_$n.db" >"$T/x_sm_$n"
		dbhex "$T/rq_$n.db" >"$T/x_rq_$n"
		check "$tag: identical stored key/value bytes (db5.3_dump)" \
		    cmp -s "$T/x_sm_$n" "$T/x_rq_$n"
		"$RQ" -A smtp.EXAMPLE.net "$type" "$T/sm_$n" >"$T/a_$n" 2>&1
		if [ -z "${fl#-N}" ] || [ "$fl" = "-N" ]; then
			assert_grep "$tag: -A finds the name entry in sendmail's map" \
			    '^matched: authinfo:smtp.example.net$' "$T/a_$n"
			assert_grep "$tag: -A redacts the password" \
			    '^P:<redacted, 11 bytes>$' "$T/a_$n"
		else
			# -f stored "AuthInfo:..." as written; relayq looks up
			# lowercase "authinfo:..." keys, so nothing matches.
			assert_grep "$tag: -A on a -f map finds no lowercase key" \
			    '^no entry matches' "$T/a_$n"
		fi
		check "$tag: map mode 0640" [ "$(stat -c %a "$T/rq_$n.db")" = 640 ]
	done
done

"$RQ" -A other.example -a 192.0.2.25 hash "$T/sm_hash" >"$T/a_addr"
assert_grep "address entry from sendmail's map" '^matched: authinfo:192.0.2.25$' "$T/a_addr"
assert_grep "base64 password length" '^P:<redacted, 6 bytes>$' "$T/a_addr"
"$RQ" -A '[192.0.2.26]' hash "$T/sm_hash" >"$T/a_lit"
assert_grep "IP literal keeps brackets" '^matched: authinfo:\[192.0.2.26\]$' "$T/a_lit"
assert_grep "realm shown" '^R:hub.example$' "$T/a_lit"
assert_no_grep "password never printed" 's3cret' "$T/a_$(echo hash)"

# Key bytes for the record (makemap.md §3): both tools, plain and -N.
for n in hash hashN; do
	for who in sm rq; do
		echo "# hex $who $n: $(db5.3_dump "$T/${who}_$n.db" |
		    sed -n '/^HEADER=END/,$p' | grep '^ ' | paste - - |
		    grep '^ 61757468696e666f3a736d7470' | cut -f1 | tr -d ' ')"
	done
done

# Error texts and exit codes match sendmail's (program name aside).
printf ' lead\nnorhs\nk v\nk w\n' >"$T/bad"
sm hash "$T/smbad" <"$T/bad" 2>"$T/e_sm"; s1=$?
"$RQ" hash "$T/rqbad" <"$T/bad" 2>"$T/e_rq"; s2=$?
assert_eq "bad input: same exit status as sendmail" "$s1" "$s2"
sed 's/^makemap: [^:]*: //' "$T/e_sm" >"$T/e_sm2"
sed 's/^relayq-makemap: [^:]*: //' "$T/e_rq" >"$T/e_rq2"
check "bad input: same messages as sendmail" cmp -s "$T/e_sm2" "$T/e_rq2"

# Credential lines gone wrong: the messages name the map and the line,
# never a byte of the line.  In the typo (no blank after the key) the key
# runs on into the items, so sendmail's "no RHS for LHS <key>" would print
# the password, folded to lower case.
add_secret Zq9Secret
printf '%s\n' '# creds' 'AuthInfo:ok "U:a" "P:b"' \
	'AuthInfo:host"U:alice""P:Zq9Secret"' \
	'AuthInfo:dup"P:Zq9Secret" x' 'AuthInfo:dup"P:Zq9Secret" y' \
	'AuthInfo:b64 "U:alice" "P=Zq9Secret!"' \
	'AuthInfo:smtp.isp.example:alice:Zq9Secret' >"$T/authinfo.typo"
"$RQ" hash "$T/typo" <"$T/authinfo.typo" 2>"$T/e_typo"; s3=$?
sed 's/^/# /' "$T/e_typo"
assert_eq "credential typos: exit 65 as makemap" 65 "$s3"
assert_grep "typo: map and line named" \
    "^relayq-makemap: $T/typo: line 3: no RHS for LHS (key not shown)" "$T/e_typo"
assert_grep "duplicate: map and line named" \
    "^relayq-makemap: $T/typo: line 5: .*duplicate key" "$T/e_typo"
assert_grep "bad base64: line and item named" \
    "^relayq-makemap: $T/typo: warning: line 6: malformed AuthInfo entry (item 2 (P): invalid base64)" "$T/e_typo"
assert_grep "no blank at all: line named" \
    "^relayq-makemap: $T/typo: line 7: no RHS for LHS (key not shown)" "$T/e_typo"
assert_no_grep "credential typos: no password in the messages" '[Zz]q9[Ss]ecret' "$T/e_typo"
assert_no_grep "credential typos: no user name in the messages" 'alice' "$T/e_typo"
"$RQ" -v hash "$T/verbose" <"$T/authinfo" >"$T/v_out" 2>&1
assert_grep "-v: AuthInfo keys listed" "^key=\`authinfo:smtp.example.net'" "$T/v_out"
assert_no_grep "-v: no AuthInfo value printed" 's3cret' "$T/v_out"
finish
