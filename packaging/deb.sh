#!/bin/sh
# deb.sh: build relayq's Debian package; `make deb` runs it as
#   sh packaging/deb.sh VERSION OUTDIR
# The repository keeps debian/ at packaging/debian (the top level is fixed),
# so the working tree's Makefile, README.md, src, maps, tools, man and
# packaging are copied to OUTDIR/relayq-VERSION/ with packaging/debian as
# its debian/, and `dpkg-buildpackage -us -uc -b` runs there.  The .debs
# land in OUTDIR; lintian must then report no error and no warning.
# As root, missing build dependencies are installed with apt-get first.
set -eu

[ $# -eq 2 ] || { echo "usage: sh packaging/deb.sh VERSION OUTDIR" >&2; exit 64; }
VERSION=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$2"
OUT=$(cd "$2" && pwd)
SRC=$OUT/relayq-$VERSION

say() { echo "deb: $*" >&2; }
die() { echo "deb: $*" >&2; exit 1; }

apt_install() {
	[ "$(id -u)" -eq 0 ] || die "not root; install first: $*"
	say "installing: $*"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "$@"
}

missing() {
	for p in "$@"; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$s" = installed ] || echo "$p"
	done
}

# The tools, then whatever debian/control's Build-Depends lists.
m=$(missing dpkg-dev debhelper fakeroot lintian make gcc)
[ -z "$m" ] || apt_install $m

cl=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" -S Version)
[ "$cl" = "$VERSION" ] ||
	die "packaging/debian/changelog is at $cl, the Makefile's VERSION is $VERSION: add a changelog entry"

rm -rf "$SRC"
mkdir -p "$SRC"
(cd "$TOP" && tar -cf - --exclude=packaging/debian Makefile README.md src maps tools man packaging) |
	(cd "$SRC" && tar -xf -)
cp -R "$TOP/packaging/debian" "$SRC/debian"

unmet=$(cd "$SRC" && dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
	sed 's/([^)]*)//g; s/|[^ ]*//g')
[ -z "$unmet" ] || apt_install $unmet

rm -f "$OUT"/relayq_"$VERSION"_* "$OUT"/relayq-dbgsym_"$VERSION"_*
(cd "$SRC" && dpkg-buildpackage -us -uc -b) > "$OUT/build.log" 2>&1 ||
	{ tail -n 40 "$OUT/build.log" >&2; die "dpkg-buildpackage failed; full log: $OUT/build.log"; }
say "built:"
ls "$OUT"/relayq*_"$VERSION"_*.deb >&2
debs=$(ls "$OUT"/relayq*_"$VERSION"_*.deb)
# shellcheck disable=SC2086
lintian --fail-on error,warning --display-info $debs ||
	die "lintian found errors or warnings (above)"
say "lintian: no errors, no warnings"
say "install with: apt install $(ls "$OUT"/relayq_"$VERSION"_*.deb)"
