#!/usr/bin/env bash
# bench/run.sh -- gostrisk's benchmark table (make bench).
#
# Builds gostrisk, generates a config set (10,000 peers, 20,000 dialplan
# lines) under a temporary directory, and measures, each figure the median
# of $RUNS runs, with the server pinned to CPU 0 and sipp to CPU 1:
#   - start-up time until "core waitfullybooted" answers, and RSS after it;
#   - -rx "sip show peers" time with 10,000 peers;
#   - REGISTER with digest auth over 1,000 peers (bench/reg-1000.xml): the
#     highest rate with >= 99 % success, with server CPU % and RSS from /proc.
# A measurement whose feature is not in the build yet prints "n/a: <reason>".
# It is a measurement, not a test: it exits 0 unless it cannot run at all.
#
# Knobs (environment): RUNS=3 PEERS=10000 LINES=20000 REGPEERS=1000
#   RATES="250 500 1000 2000 4000 7500 10000" STEP_SECONDS=4 KEEP=1 (keep the work dir)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
PEERS=${PEERS:-10000}
LINES=${LINES:-20000}
REGPEERS=${REGPEERS:-1000}
RATES=${RATES:-"250 500 1000 2000 4000 7500 10000"}
STEP_SECONDS=${STEP_SECONDS:-4}
CLK_TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gostrisk-bench.XXXXXX")
SRV_PID=""
SAMPLER_PID=""
cleanup() {
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
	if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
		kill "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
now() { date +%s.%N; }
# elapsed START END -> seconds with 3 decimals
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# median of the arguments (numbers; "n/a" when none)
median() {
	if [ $# -eq 0 ]; then echo "n/a"; return; fi
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() { awk '{ i = index($0, ") "); split(substr($0, i + 2), f, " "); print f[12] + f[13] }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- build
log "building gostrisk..."
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/gostrisk" ./cmd/gostrisk)
(cd "$ROOT" && go build -o "$WORK/benchgen" ./bench/benchgen)
BIN=$WORK/gostrisk

# ---------------------------------------------------------------- sipp
SIPP_NOTE=""
if ! command -v sipp >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing sipp (Debian package sip-tester)..."
		(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sip-tester >/dev/null
	fi
fi
command -v sipp >/dev/null 2>&1 || SIPP_NOTE="sipp is not installed (apt-get install sip-tester)"

# ---------------------------------------------------------------- CPUs
NCPU=$(nproc)
if [ "$NCPU" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
	SRV_PIN=(taskset -c 0)
	CLI_PIN=(taskset -c 1)
	PIN_NOTE="server pinned to CPU 0, sipp to CPU 1 (taskset)"
else
	SRV_PIN=()
	CLI_PIN=()
	PIN_NOTE="not pinned ($NCPU CPU(s) or no taskset): figures are shared-CPU figures"
fi

# ---------------------------------------------------------------- config
ETC=$WORK/etc
SIPPORT=$("$WORK/benchgen" -dir "$ETC" -peers "$PEERS" -lines "$LINES" -regpeers "$REGPEERS" | sed -n 's/^sipport=//p')
CONF=$ETC/asterisk.conf
log "config: $PEERS peers, $LINES dialplan lines, SIP on 127.0.0.1:$SIPPORT ($ETC)"
if ! "$BIN" check -C "$CONF" >"$WORK/check.txt" 2>&1; then
	log "gostrisk check refuses the generated config:"
	cat "$WORK/check.txt" >&2
	exit 1
fi

rx() { "$BIN" -C "$CONF" -rx "$1"; }

# start_server: starts the daemon in the foreground (pinned), waits until
# "core waitfullybooted" answers and sets SRV_PID and STARTUP (seconds).
start_server() {
	local t0 t1 i
	t0=$(now)
	"${SRV_PIN[@]}" "$BIN" -f -C "$CONF" >"$WORK/server.log" 2>&1 &
	SRV_PID=$!
	for i in $(seq 1 1200); do
		if ! kill -0 "$SRV_PID" 2>/dev/null; then
			log "gostrisk exited during start-up:"
			cat "$WORK/server.log" >&2
			exit 1
		fi
		if rx "core waitfullybooted" 2>/dev/null | grep -q "fully booted"; then
			t1=$(now)
			STARTUP=$(elapsed "$t0" "$t1")
			return 0
		fi
		sleep 0.02
	done
	log "gostrisk did not boot within 24 s"
	exit 1
}

stop_server() {
	rx "core stop now" >/dev/null 2>&1 || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$SRV_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
	SRV_PID=""
}

# ---------------------------------------------------------------- start-up, RSS, sip show peers
STARTUPS=()
RSSES=()
SHOWS=()
SHOW_NOTE=""
for run in $(seq 1 "$RUNS"); do
	start_server
	STARTUPS+=("$STARTUP")
	sleep 0.5 # let start-up garbage be collected before sampling RSS
	RSSES+=("$(awk -v k="$(rss_kb "$SRV_PID")" 'BEGIN { printf "%.1f", k / 1024 }')")
	out=$(rx "sip show peers" 2>&1 || true)
	if printf '%s' "$out" | grep -q "^No such command"; then
		SHOW_NOTE="n/a: 'sip show peers' is not a command in this build (SIP driver not wired)"
	else
		t0=$(now)
		out=$(rx "sip show peers" 2>&1 || true)
		t1=$(now)
		if printf '%s' "$out" | grep -q "^$PEERS sip peers"; then
			SHOWS+=("$(elapsed "$t0" "$t1")")
		else
			SHOW_NOTE="n/a: 'sip show peers' did not list $PEERS peers: $(printf '%s' "$out" | tail -1)"
		fi
	fi
	if [ "$run" -lt "$RUNS" ]; then stop_server; fi
	log "run $run: start-up ${STARTUP}s, RSS ${RSSES[-1]} MB"
done
STARTUP_MED=$(median "${STARTUPS[@]}")
RSS_MED=$(median "${RSSES[@]}")
if [ -n "$SHOW_NOTE" ]; then SHOW_MED=$SHOW_NOTE; else SHOW_MED="$(median "${SHOWS[@]}") s"; fi

# ---------------------------------------------------------------- registrations
# One sipp run: sipp_reg RATE CALLS -> sets OK (successful), FAILED, SRV_CPU
# (% of one core), SIPP_CPU, RSS_MAX (MB).
sipp_reg() {
	local rate=$1 calls=$2 dir port t0 t1 c0 c1 s0 s1 sp rssfile
	dir=$WORK/sipp-$rate-$RANDOM
	mkdir -p "$dir"
	port=$("$WORK/benchgen" -freeport)
	rssfile=$dir/rss
	(while kill -0 "$SRV_PID" 2>/dev/null; do rss_kb "$SRV_PID" >>"$rssfile"; sleep 0.2; done) &
	SAMPLER_PID=$!
	c0=$(cpu_ticks "$SRV_PID")
	t0=$(now)
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/reg-1000.xml" -inf "$ETC/reg.csv" \
		-i 127.0.0.1 -p "$port" -m "$calls" -r "$rate" -rp 1000 -l $((rate * 4 + 100)) \
		-nostdin -timeout $((calls / rate + 20))s -timeout_error -recv_timeout 5000 \
		-trace_stat -stf "$dir/stat.csv" -fd 1 "127.0.0.1:$SIPPORT") >"$dir/sipp.out" 2>&1 &
	sp=$!
	s0=0
	sleep 0.05
	s0=$(cpu_ticks "$sp")
	local smax=0 s
	while kill -0 "$sp" 2>/dev/null; do
		s=$(cpu_ticks "$sp")
		[ "${s:-0}" -gt "$smax" ] && smax=$s
		sleep 0.2
	done
	wait "$sp" 2>/dev/null || true
	t1=$(now)
	c1=$(cpu_ticks "$SRV_PID")
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=""
	local secs
	secs=$(elapsed "$t0" "$t1")
	SRV_CPU=$(awk -v a="$c0" -v b="$c1" -v s="$secs" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
	SIPP_CPU=$(awk -v a="$s0" -v b="$smax" -v s="$secs" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
	RSS_MAX=$(sort -n "$rssfile" 2>/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')
	OK=0
	FAILED=$calls
	if [ -s "$dir/stat.csv" ]; then
		read -r OK FAILED < <(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "SuccessfulCall(C)") s = i; if ($i == "FailedCall(C)") f = i } }
			END { print $s + 0, $f + 0 }' "$dir/stat.csv")
	fi
	LAST_DIR=$dir
}

REG_RATE="n/a"
REG_CPU="n/a"
REG_RSS="n/a"
REG_NOTE=""
RSS_PER_PEER="n/a"
if [ -n "$SIPP_NOTE" ]; then
	REG_NOTE="n/a: $SIPP_NOTE"
elif [ -n "$SHOW_NOTE" ]; then
	REG_NOTE="n/a: no SIP driver in this build (nothing answers REGISTER)"
else
	# Probe: one registration must work before load makes sense.
	log "probing one registration..."
	sipp_reg 10 1
	log "probe: $OK ok, $FAILED failed"
	if [ "$OK" != 1 ]; then
		why=$(grep -o -m1 "received '[^']*" "$LAST_DIR/sipp.out" | sed "s/^received '/got /" || true)
		REG_NOTE="n/a: one REGISTER with digest auth fails (${why:-no answer})"
	else
		rss_before=$(rss_kb "$SRV_PID")
		sipp_reg 500 "$REGPEERS"
		rss_after=$(rss_kb "$SRV_PID")
		if [ "$OK" = "$REGPEERS" ]; then
			RSS_PER_PEER=$(awk -v a="$rss_before" -v b="$rss_after" -v n="$REGPEERS" 'BEGIN { printf "%.2f KB", (b - a) / n }')
		fi
		LOWER_BOUND=""
		for rate in $RATES; do
			calls=$((rate * STEP_SECONDS))
			succ=()
			cpus=()
			rsss=()
			for run in $(seq 1 "$RUNS"); do
				sipp_reg "$rate" "$calls"
				succ+=("$(awk -v o="$OK" -v n="$calls" 'BEGIN { printf "%.2f", o * 100 / n }')")
				cpus+=("$SRV_CPU")
				rsss+=("$RSS_MAX")
				[ "$SIPP_CPU" -ge 90 ] && LOWER_BOUND=" (sipp used ${SIPP_CPU}% of its CPU: lower bound)"
			done
			s=$(median "${succ[@]}")
			log "REGISTER at $rate/s: success ${s}% (runs: ${succ[*]}), server CPU $(median "${cpus[@]}")%, server RSS max ${rsss[*]} MB, sipp CPU ${SIPP_CPU}%"
			if awk -v s="$s" 'BEGIN { exit !(s >= 99) }'; then
				REG_RATE="$rate /s (${s}% success)$LOWER_BOUND"
				REG_CPU="$(median "${cpus[@]}") %"
				REG_RSS="$(median "${rsss[@]}") MB"
			else
				break
			fi
		done
		[ "$REG_RATE" = "n/a" ] && REG_NOTE="n/a: below 99 % success even at the lowest rate"
	fi
fi
log "stopping the server..."
stop_server

# ---------------------------------------------------------------- table
CALLS_NOTE="n/a: no B2BUA call scenario in bench/ yet"
printf '\ngostrisk bench -- %s, %s, %d CPU(s), %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
	"$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$NCPU" "$("$BIN" -V)"
printf '%s; each figure the median of %d runs\n\n' "$PIN_NOTE" "$RUNS"
row() { printf '| %-62s | %-48s |\n' "$1" "$2"; }
# reg_row LABEL VALUE: the value, or n/a when the registration run could not run.
reg_row() { if [ -n "$REG_NOTE" ]; then row "$1" "n/a"; else row "$1" "$2"; fi; }
row "measurement" "gostrisk"
printf '|%s|%s|\n' "$(printf -- '-%.0s' {1..64})" "$(printf -- '-%.0s' {1..50})"
row "start-up to fully booted ($PEERS peers, $LINES dialplan lines)" "${STARTUP_MED} s"
row "RSS after start-up" "${RSS_MED} MB"
row "-rx \"sip show peers\" with $PEERS peers" "$SHOW_MED"
row "REGISTER with digest auth, $REGPEERS peers (>= 99 % success)" "${REG_NOTE:-$REG_RATE}"
reg_row "  server CPU at that rate (% of one core)" "$REG_CPU"
reg_row "  server RSS at that rate" "$REG_RSS"
reg_row "RSS per registered peer" "$RSS_PER_PEER"
row "calls/s through the B2BUA, no media, immediate BYE" "$CALLS_NOTE"
row "concurrent G.711 calls relayed both ways" "$CALLS_NOTE"
row "concurrent calls with SRTP on one leg" "$CALLS_NOTE"
