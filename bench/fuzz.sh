#!/usr/bin/env bash
# bench/fuzz.sh <time> -- run every Go fuzz target of the repository for a
# bounded time each (make fuzz). Targets are found, not listed, so a new
# "func FuzzXxx(f *testing.F)" is fuzzed without touching this script.
# Every target runs even when an earlier one finds a crash; the script
# then exits non-zero and lists them. A failing input is saved under that
# package's testdata/fuzz/<target>/, where it becomes a regression case of
# the ordinary "go test" once the bug is fixed.
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
failed=()
while read -r dir name; do
	n=$((n + 1))
	echo "=== $name in ./$dir for $FUZZTIME"
	if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "./$dir"; then
		echo "FAIL: $name in ./$dir found a crash (input saved under ./$dir/testdata/fuzz/$name/)" >&2
		failed+=("$name in ./$dir")
	fi
done <<<"$targets"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: $n targets ran for $FUZZTIME each; ${#failed[@]} found a crash:" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz: $n targets ran for $FUZZTIME each, no crash"
