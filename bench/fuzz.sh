#!/usr/bin/env bash
# bench/fuzz.sh <time> -- run every Go fuzz target of the repository for a
# bounded time each (make fuzz). Targets are found, not listed, so a new
# "func FuzzXxx(f *testing.F)" is fuzzed without touching this script.
# Stops with a non-zero status at the first target that finds a crash; the
# failing input is then under that package's testdata/fuzz/, where it
# becomes a regression case of the ordinary "go test".
set -euo pipefail

FUZZTIME=${1:-20s}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# "dir name" pairs of every fuzz target, in a stable order.
targets=$(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . |
	grep -v '^\./\.' |
	sed -E 's|^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' | sort -u)
if [ -z "$targets" ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi

n=0
while read -r dir name; do
	n=$((n + 1))
	echo "=== $name in ./$dir for $FUZZTIME"
	if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "./$dir"; then
		echo "FAIL: $name in ./$dir found a crash (input saved under ./$dir/testdata/fuzz/$name/)" >&2
		exit 1
	fi
done <<<"$targets"
echo "fuzz: $n targets ran for $FUZZTIME each, no crash"
