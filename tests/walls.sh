#!/bin/sh
# walls.sh CC BUILD "name=dir dir..." ...: each archive compiles with its own
# include list only, so a header from any other folder must not compile for
# it (a submitter file that includes deliver.h is an error, not a review
# comment), while a header of its own folder must.  Prints ok/not ok per
# check and "walls: N passed, N failed".
set -u
cc=$1 build=$2; shift 2
all="src/lib src/addr src/spool src/submit src/queue src/smtp src/deliver maps tools/setup src/oauth2"
pass=0; fail=0
probe=$(mktemp /tmp/relayq-wall.XXXXXX.c)
trap 'rm -f "$probe"' EXIT
compiles() { # compiles HEADER-PATH DIRS...: our header, not a system one
	_h=$1; shift
	_guard=$(sed -n 's/^#ifndef \(RELAYQ_[A-Z0-9_]*\)$/\1/p' "$_h" | head -n 1)
	printf '#include "%s"\n#ifndef %s\n#error not ours\n#endif\n' \
	    "$(basename "$_h")" "${_guard:-RELAYQ_NO_GUARD}" > "$probe"
	_inc=""; for _d in "$@"; do _inc="$_inc -I$_d"; done
	# shellcheck disable=SC2086
	$cc -std=c11 -D_GNU_SOURCE -I"$build" $_inc -fsyntax-only "$probe" 2>/dev/null
}
result() { if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi; echo "$1 - $2"; }
for spec in "$@"; do
	name=${spec%%=*} dirs=${spec#*=}
	own=$(ls "${dirs%% *}"/*.h | head -n 1)
	# shellcheck disable=SC2086
	if compiles "$own" $dirs; then result ok "$name: its own $(basename "$own") compiles"
	else result "not ok" "$name: its own $(basename "$own") does not compile"; fi
	for f in $all; do
		case " $dirs " in *" $f "*) continue ;; esac
		for h in "$f"/*.h; do
			# shellcheck disable=SC2086
			if compiles "$h" $dirs; then
				result "not ok" "$name: includes $h across its wall"
			else
				result ok "$name: cannot include $h"
			fi
		done
	done
done
echo "walls: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
