#!/bin/sh
# cycles.sh BUILD (run from the top of the tree): no two library files call each other, directly or round
# a longer loop.  Reads the symbols each object defines and uses (nm) and
# walks the file graph; prints each cycle found and
# "cycles: N passed, N failed" (one check per object).
set -u
build=$1
objs=$(find "$build/src" "$build/maps" "$build/tools/setup" -name '*.o' 2>/dev/null |
	grep -v -e '/sendmail\.o$' -e '/relayqd\.o$' -e '/showq\.o$' -e '/main\.o$' | sort)
[ -n "$objs" ] || { echo "cycles: no objects in $build"; exit 1; }
for o in $objs; do
	src=${o#$build/}
	[ -f "${src%.o}.c" ] || continue	# left over from an older layout
	nm "$o" | awk -v f="${o#$build/}" '$2 ~ /^[TDBR]$/ { print "D", f, $3 } $1 == "U" { print "U", f, $2 }'
done | awk '
$1 == "D" { def[$3] = $2; next }
{ use[NR] = $2 " " $3 }
END {
	for (i in use) {
		split(use[i], p, " ")
		if ((p[2] in def) && def[p[2]] != p[1] && !((p[1], def[p[2]]) in edge)) {
			edge[p[1], def[p[2]]] = 1
			adj[p[1]] = adj[p[1]] " " def[p[2]]
		}
		node[p[1]] = 1
	}
	bad = 0; good = 0
	for (n in node) {
		# Is n reachable from itself?  Iterative DFS over adj.
		delete seen; top = 0; found = 0
		m = split(adj[n], first, " ")
		for (k = 1; k <= m; k++) stack[++top] = first[k]
		while (top > 0 && !found) {
			v = stack[top--]
			if (v == n) { found = 1; break }
			if (v in seen) continue
			seen[v] = 1
			m = split(adj[v], nx, " ")
			for (k = 1; k <= m; k++) stack[++top] = nx[k]
		}
		if (found) { bad++; print "not ok - " n " is on a call cycle" } else good++
	}
	printf "cycles: %d passed, %d failed\n", good, bad
	exit bad > 0
}'
