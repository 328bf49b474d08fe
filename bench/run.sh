#!/usr/bin/env bash
# bench/run.sh -- gostrisk's benchmark table (make bench).
#
# Builds gostrisk, generates a config set (10,000 peers, 20,000 dialplan
# lines) under a temporary directory, and measures, each figure the median
# of $RUNS runs, with the server pinned to CPU 0 and sipp to CPU 1:
#   - start-up time until "core waitfullybooted" answers, and RSS after it;
#   - -rx "sip show peers" time with 10,000 peers;
#   - REGISTER with digest auth over 1,000 peers (bench/reg-1000.xml): the
#     highest rate with >= 99 % success, with server CPU % and RSS from /proc;
#   - calls/s through the B2BUA without media (bench/call-uac.xml ->
#     gostrisk -> bench/call-uas.xml, the callee registered first, BYE right
#     after the ACK): the highest rate with >= 99 % success; the same with
#     each call held 10 s (rate x 10 dialogs up);
#   - concurrent G.711 calls with RTP relayed both ways (call-*-rtp.xml, both
#     sipps stream 20 ms mu-law): the most calls held at <= 80 % of the
#     server's core with >= 99 % success, RSS per call, and the share of
#     the RTP packets it received that the server relayed (host UDP counters);
#   - floods (bench/flood, one run each on a fresh server): OPTIONS, INVITE
#     from an unknown and from a known user, REGISTER, random bytes over
#     UDP, pipelined OPTIONS over many TCP connections, each for
#     FLOOD_SECONDS at the highest rate the sender gives: the rate, RSS
#     before, at its peak and FLOOD_AFTER s after, and whether a phone could
#     register and call during the flood.
#   - terminating RTP sessions (bench/rtpplay, pkg/rtp without the server):
#     N sessions each written by a Playback-like producer, pacing error
#     p50/p99/max at a receiver process, packets/s and CPU % of one core.
# Where the registration sipp uses >= 90 % of its CPU, that step runs again
# with twice the sipp processes sharing the rate (up to SIPP_MAX_PROCS,
# spread over the CPUs the server does not use); a figure reached with the
# sipps still saturated is marked a lower bound. The call and RTP steps
# keep one sipp per side (they use under 30 % of theirs here) and are
# marked a lower bound when one saturates.
# A measurement whose feature is not in the build yet prints "n/a: <reason>".
# It is a measurement, not a test: it exits 0 unless it cannot run at all.
#
# Knobs (environment): RUNS=3 PEERS=10000 LINES=20000 REGPEERS=1000
#   RATES="250 500 1000 2000 4000 7500 10000 13000 16000" STEP_SECONDS=4
#   CALL_RATES="100 200 400 800 1300 1600 2000" HOLD_RATES="60 120 200 300 400 500 600"
#   CONCURRENT="100 250 500 700 800 900 1000 1500" (an empty list skips that measurement)
#   HOLD_SECONDS=12 SKIP_REG=1 SKIP_CALLS=1 KAMAILIO=0 RELAYLOAD=0
#   PLAY=0 (skip the paced sessions) PLAY_N=2000 PLAY_SECONDS=20
#   TRANSCODE=0 (skip the translated calls) TRANSCODE_CALLS=200,500
#   PLAYBACK=0 (skip the Playback channels) PLAYBACK_CALLS=500,1000 (x2 channels)
#   VOICEMAIL=0 (skip the voicemail callers) VOICEMAIL_CALLS=250,500 (x2 callers) VOICEMAIL_FORMAT=wav
#   SIPP_PROCS=1 SIPP_MAX_PROCS=4 SIPP_BUSY=90 (registration load processes
#   and the sipp CPU % that counts as saturated, see below)
#   FLOOD=0 (skip the floods) FLOOD_SECONDS=30 FLOOD_AFTER=30 FLOOD_CONNS=200
#   FLOOD_MODES="options invite invite-known register garbage tcp-options"
#   FLOOD_USER=100500 (the known peer the floods name)
#   FLOOD_RATE=0 (requests/s each flood sends; 0: as many as it can)
#   KEEP=1 (keep the work dir)
#   SERVER_ARGS="--pprof 127.0.0.1:6060" (extra gostrisk flags, e.g. to profile a step)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-3}
PEERS=${PEERS:-10000}
LINES=${LINES:-20000}
REGPEERS=${REGPEERS:-1000}
RATES=${RATES-"250 500 1000 2000 4000 7500 10000 13000 16000"}
STEP_SECONDS=${STEP_SECONDS:-4}
CALL_RATES=${CALL_RATES-"100 200 400 800 1300 1600 2000"}
HOLD_RATES=${HOLD_RATES-"60 120 200 300 400 500 600"}
CONCURRENT=${CONCURRENT-"100 250 500 700 800 900 1000 1500"}
HOLD_SECONDS=${HOLD_SECONDS:-12}
SIPP_PROCS=${SIPP_PROCS:-1}
SIPP_MAX_PROCS=${SIPP_MAX_PROCS:-4}
SIPP_BUSY=${SIPP_BUSY:-90}
FLOOD_SECONDS=${FLOOD_SECONDS:-30}
FLOOD_AFTER=${FLOOD_AFTER:-30}
FLOOD_MODES=${FLOOD_MODES-"options invite invite-known register garbage tcp-options"}
FLOOD_CONNS=${FLOOD_CONNS:-200}
FLOOD_USER=${FLOOD_USER:-100500}
FLOOD_RATE=${FLOOD_RATE:-0}
CLK_TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gostrisk-bench.XXXXXX")
SRV_PID=""
SAMPLER_PID=""
KAM_PID=""
FLOOD_PID=""
cleanup() {
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
	[ -n "$FLOOD_PID" ] && kill "$FLOOD_PID" 2>/dev/null || true
	[ -n "$KAM_PID" ] && kill "$KAM_PID" 2>/dev/null || true
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
(cd "$ROOT" && go build -o "$WORK/flood" ./bench/flood)
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
	[ "$NCPU" -gt 2 ] && PIN_NOTE="server pinned to CPU 0, sipp to CPU 1, extra registration sipps to CPUs 1-$((NCPU - 1)) (taskset)"
else
	SRV_PIN=()
	CLI_PIN=()
	PIN_NOTE="not pinned ($NCPU CPU(s) or no taskset): figures are shared-CPU figures"
fi

# ---------------------------------------------------------------- config
ETC=$WORK/etc
SIPPORT=$("$WORK/benchgen" -dir "$ETC" -peers "$PEERS" -lines "$LINES" -regpeers "$REGPEERS" | sed -n 's/^sipport=//p')
ASTCONF=$ETC/asterisk.conf
log "config: $PEERS peers, $LINES dialplan lines, SIP on 127.0.0.1:$SIPPORT ($ETC)"
if ! "$BIN" check -C "$ASTCONF" >"$WORK/check.txt" 2>&1; then
	log "gostrisk check refuses the generated config:"
	cat "$WORK/check.txt" >&2
	exit 1
fi

rx() { "$BIN" -C "$ASTCONF" -rx "$1"; }

# start_server: starts the daemon in the foreground (pinned), waits until
# "core waitfullybooted" answers and sets SRV_PID and STARTUP (seconds).
start_server() {
	local t0 t1 i
	t0=$(now)
	# shellcheck disable=SC2086 # extra server flags, split on purpose
	"${SRV_PIN[@]}" "$BIN" -f -C "$ASTCONF" ${SERVER_ARGS:-} >"$WORK/server.log" 2>&1 &
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
# The registration runs measure whichever server REG_PORT and REG_PIDS
# name (gostrisk, then Kamailio side by side). CPU is summed over
# REG_PIDS; memory is VmRSS for gostrisk (one process) and the sum of the
# processes' PSS for Kamailio (its children share memory, so their RSS
# would count it several times).
REG_PORT=""
REG_PIDS=""
REG_MEM=rss
pids_ticks() { local p t=0; for p in $REG_PIDS; do t=$((t + $(cpu_ticks "$p"))); done; echo "$t"; }
pids_mem_kb() {
	local p t=0
	for p in $REG_PIDS; do
		if [ "$REG_MEM" = pss ]; then
			t=$((t + $(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
		else
			t=$((t + $(rss_kb "$p")))
		fi
	done
	echo "$t"
}
pids_alive() { local p; for p in $REG_PIDS; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }

# cli_pin I -> the taskset prefix for the I-th (from 0) of several sipp
# processes: round-robin over the CPUs the server does not use.
cli_pin() {
	if [ ${#CLI_PIN[@]} -eq 0 ]; then return; fi
	echo "taskset -c $((1 + $1 % (NCPU - 1)))"
}

# One load run: sipp_reg RATE CALLS [PROCS] -> sets OK (successful), FAILED,
# SRV_CPU (% of one core), SIPP_CPU (% of a core: the sipps' CPU over the
# CPUs they run on, so it reads as the busiest sipp CPU), RSS_MAX (MB).
# PROCS sipp processes (default SIPP_PROCS) share the rate and the calls,
# each on its own port, spread over the CPUs the server does not use.
sipp_reg() {
	local rate=$1 calls=$2 procs=${3:-$SIPP_PROCS} dir t0 t1 c0 c1 rssfile i r m pin
	local -a sps=() s0s=() smaxs=()
	dir=$WORK/sipp-$rate-$RANDOM
	mkdir -p "$dir"
	rssfile=$dir/rss
	(while pids_alive; do pids_mem_kb >>"$rssfile"; sleep 0.2; done) &
	SAMPLER_PID=$!
	c0=$(pids_ticks)
	t0=$(now)
	for i in $(seq 0 $((procs - 1))); do
		# The first process takes the remainders.
		r=$((rate / procs))
		m=$((calls / procs))
		[ "$i" = 0 ] && r=$((r + rate % procs)) && m=$((m + calls % procs))
		pin=$(cli_pin "$i")
		mkdir -p "$dir/$i"
		# shellcheck disable=SC2086 # pin is a command prefix, split on purpose
		(cd "$dir/$i" && exec $pin sipp -sf "$ROOT/bench/reg-1000.xml" -inf "$ETC/reg.csv" \
			-i 127.0.0.1 -p "$("$WORK/benchgen" -freeport)" -m "$m" -r "$r" -rp 1000 -l $((r * 4 + 100)) \
			-nostdin -timeout $((m / r + 20))s -timeout_error -recv_timeout 5000 \
			-trace_stat -stf "$dir/$i/stat.csv" -fd 1 "127.0.0.1:$REG_PORT") >"$dir/$i/sipp.out" 2>&1 &
		sps+=("$!")
	done
	sleep 0.05
	for i in "${!sps[@]}"; do
		s0s[i]=$(cpu_ticks "${sps[i]}")
		smaxs[i]=${s0s[i]}
	done
	local running s
	while :; do
		running=0
		for i in "${!sps[@]}"; do
			kill -0 "${sps[i]}" 2>/dev/null || continue
			running=1
			s=$(cpu_ticks "${sps[i]}")
			[ "${s:-0}" -gt "${smaxs[i]}" ] && smaxs[i]=$s
		done
		[ "$running" = 0 ] && break
		sleep 0.2
	done
	for i in "${!sps[@]}"; do wait "${sps[i]}" 2>/dev/null || true; done
	t1=$(now)
	c1=$(pids_ticks)
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=""
	local secs ticks=0 cpus o f
	secs=$(elapsed "$t0" "$t1")
	for i in "${!sps[@]}"; do ticks=$((ticks + smaxs[i] - s0s[i])); done
	cpus=$(( procs < NCPU - 1 ? procs : NCPU - 1 ))
	[ "$cpus" -lt 1 ] && cpus=1
	SRV_CPU=$(awk -v a="$c0" -v b="$c1" -v s="$secs" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
	SIPP_CPU=$(awk -v t="$ticks" -v c="$cpus" -v s="$secs" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", t * 100 / hz / s / c }')
	RSS_MAX=$(sort -n "$rssfile" 2>/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')
	OK=0
	FAILED=0
	for i in "${!sps[@]}"; do
		if [ -s "$dir/$i/stat.csv" ]; then
			read -r o f < <(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "SuccessfulCall(C)") s = i; if ($i == "FailedCall(C)") f = i } }
				END { print $s + 0, $f + 0 }' "$dir/$i/stat.csv")
			OK=$((OK + o))
			FAILED=$((FAILED + f))
		else
			FAILED=$((FAILED + calls / procs))
		fi
	done
	LAST_DIR=$dir/0
}

# reg_ladder NAME: probes one registration, registers the $REGPEERS peers
# once, then steps through $RATES ($RUNS runs each) until the median
# success drops below 99 %. Sets L_RATE, L_CPU, L_RSS (at that rate),
# L_RSS1000 (at 1,000 /s), L_PER_PEER and L_NOTE (why it could not run).
reg_ladder() {
	local name=$1 rate calls run s succ cpus rsss rss_before rss_after LOWER_BOUND=""
	L_RATE="n/a"
	L_CPU="n/a"
	L_RSS="n/a"
	L_RSS1000="n/a"
	L_PER_PEER="n/a"
	L_NOTE=""
	log "$name: probing one registration..."
	sipp_reg 10 1 1
	log "$name: probe: $OK ok, $FAILED failed"
	if [ "$OK" != 1 ]; then
		why=$(grep -o -m1 "received '[^']*" "$LAST_DIR/sipp.out" | sed "s/^received '/got /" || true)
		L_NOTE="n/a: one REGISTER with digest auth fails (${why:-no answer})"
		return 0
	fi
	rss_before=$(pids_mem_kb)
	sipp_reg 500 "$REGPEERS" 1
	rss_after=$(pids_mem_kb)
	if [ "$OK" = "$REGPEERS" ]; then
		L_PER_PEER=$(awk -v a="$rss_before" -v b="$rss_after" -v n="$REGPEERS" 'BEGIN { printf "%.2f KB", (b - a) / n }')
	fi
	local procs=$SIPP_PROCS saturated
	for rate in $RATES; do
		calls=$((rate * STEP_SECONDS))
		while :; do
			succ=()
			cpus=()
			rsss=()
			saturated=""
			for run in $(seq 1 "$RUNS"); do
				sipp_reg "$rate" "$calls" "$procs"
				succ+=("$(awk -v o="$OK" -v n="$calls" 'BEGIN { printf "%.2f", o * 100 / n }')")
				cpus+=("$SRV_CPU")
				rsss+=("$RSS_MAX")
				[ "$SIPP_CPU" -ge "$SIPP_BUSY" ] && saturated=$SIPP_CPU
			done
			s=$(median "${succ[@]}")
			log "$name: REGISTER at $rate/s: success ${s}% (runs: ${succ[*]}), server CPU $(median "${cpus[@]}")%, server memory max ${rsss[*]} MB, $procs sipp(s) at ${SIPP_CPU}% CPU"
			# A saturated sipp measures itself: the step runs again with
			# twice the sipps (up to SIPP_MAX_PROCS), sharing the rate.
			if [ -n "$saturated" ] && [ $((procs * 2)) -le "$SIPP_MAX_PROCS" ]; then
				procs=$((procs * 2))
				log "$name: sipp used ${saturated}% of its CPU; again with $procs sipp processes"
				continue
			fi
			break
		done
		[ -n "$saturated" ] && LOWER_BOUND=" (sipp at ${saturated}% of its CPU with $procs process(es): lower bound)"
		[ "$rate" = 1000 ] && L_RSS1000="$(median "${rsss[@]}") MB (runs: ${rsss[*]})"
		if awk -v s="$s" 'BEGIN { exit !(s >= 99) }'; then
			L_RATE="$rate /s (${s}% success)$LOWER_BOUND"
			L_CPU="$(median "${cpus[@]}") %"
			L_RSS="$(median "${rsss[@]}") MB"
		else
			break
		fi
	done
	[ "$L_RATE" = "n/a" ] && L_NOTE="n/a: below 99 % success even at the lowest rate"
	[ -z "${RATES// /}" ] && L_NOTE="n/a: skipped (empty RATES)"
	return 0
}

REG_RATE="n/a"
REG_CPU="n/a"
REG_RSS="n/a"
REG_RSS1000="n/a"
REG_NOTE=""
RSS_PER_PEER="n/a"
if [ -n "$SIPP_NOTE" ]; then
	REG_NOTE="n/a: $SIPP_NOTE"
elif [ -n "${SKIP_REG:-}" ]; then
	REG_NOTE="n/a: skipped (SKIP_REG)"
elif [ -n "$SHOW_NOTE" ]; then
	REG_NOTE="n/a: no SIP driver in this build (nothing answers REGISTER)"
else
	REG_PORT=$SIPPORT
	REG_PIDS=$SRV_PID
	REG_MEM=rss
	reg_ladder gostrisk
	REG_RATE=$L_RATE
	REG_CPU=$L_CPU
	REG_RSS=$L_RSS
	REG_RSS1000=$L_RSS1000
	RSS_PER_PEER=$L_PER_PEER
	REG_NOTE=$L_NOTE
fi
log "stopping the server..."
stop_server

# ---------------------------------------------------------------- Kamailio side by side
# The same registration ladder against Kamailio 5.6 (registrar only,
# bench/kamailio/kamailio.cfg: digest auth over a db_text table of the same
# peers), pinned like gostrisk. KAMAILIO=0 skips it; it is installed
# (Debian package kamailio) when missing and we are root.
K_RATE="n/a"
K_CPU="n/a"
K_RSS1000="n/a"
K_NOTE=""
if [ "${KAMAILIO:-1}" = 0 ]; then
	K_NOTE="n/a: skipped (KAMAILIO=0)"
elif [ -n "$REG_NOTE" ]; then
	K_NOTE="n/a: the gostrisk registration runs did not run"
else
	if ! command -v kamailio >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		log "installing kamailio (Debian package kamailio) for the side-by-side run..."
		(apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kamailio >/dev/null 2>&1 || true
	fi
	if ! command -v kamailio >/dev/null 2>&1; then
		K_NOTE="n/a: kamailio is not installed (apt-get install kamailio)"
	else
		KDIR=$WORK/kamailio
		mkdir -p "$KDIR/db"
		KPORT=$("$WORK/benchgen" -freeport)
		sed -e "s|@PORT@|$KPORT|" -e "s|@DB@|$KDIR/db|" "$ROOT/bench/kamailio/kamailio.cfg" >"$KDIR/kamailio.cfg"
		printf 'table_name(str) table_version(int)\nsubscriber:7\nlocation:9\n' >"$KDIR/db/version"
		# reg.csv lines: "peer;[authentication username=peer password=secret]"
		{
			echo 'id(int,auto) username(str) domain(str) password(str) ha1(str,null) ha1b(str,null)'
			sed -n 's/^\([^;]*\);\[authentication username=[^ ]* password=\([^]]*\)\]$/\1 \2/p' "$ETC/reg.csv" |
				awk '{ printf "%d:%s:127.0.0.1:%s::\n", NR, $1, $2 }'
		} >"$KDIR/db/subscriber"
		"${SRV_PIN[@]}" kamailio -f "$KDIR/kamailio.cfg" -P "$KDIR/kamailio.pid" -w "$KDIR" -DD -E >"$KDIR/kamailio.log" 2>&1 &
		KAM_PID=$!
		sleep 1.5
		if ! kill -0 "$KAM_PID" 2>/dev/null; then
			K_NOTE="n/a: kamailio did not start: $(tail -1 "$KDIR/kamailio.log")"
		else
			REG_PORT=$KPORT
			REG_PIDS="$KAM_PID $(pgrep -P "$KAM_PID" | tr '\n' ' ')"
			REG_MEM=pss
			reg_ladder kamailio
			K_RATE=$L_RATE
			K_CPU=$L_CPU
			K_RSS1000=$L_RSS1000
			K_NOTE=$L_NOTE
		fi
		kill "$KAM_PID" 2>/dev/null || true
		wait "$KAM_PID" 2>/dev/null || true
		KAM_PID=""
	fi
fi

# ---------------------------------------------------------------- calls
# The callee is peer 100000, played by a sipp UAS on UAS_PORT after a
# sipp registration from that port; the caller is peer 100001, which
# authenticates its INVITE, calling extension 100000 in context [bench].
UAS_PORT=""
"$WORK/benchgen" -wav "$WORK/bench-tone.wav"
printf 'SEQUENTIAL\n100000;[authentication username=100000 password=pw100000]\n' >"$WORK/uas-reg.csv"
printf 'SEQUENTIAL\n100001;[authentication username=100001 password=pw100001];100000\n' >"$WORK/call.csv"

# udp_in: UDP datagrams that reached the host's UDP layer (delivered, to a
# closed port, or dropped on a full buffer). sipp 3.6 streams from ports it
# does not listen on, so what the server relays to it counts as NoPorts.
udp_in() { awk '/^Udp:/ { n++; if (n == 2) { print $2 + $3 + $4; exit } }' /proc/net/snmp; }

# register_callee: (re)registers peer 100000 at 127.0.0.1:$UAS_PORT.
register_callee() {
	local dir=$WORK/callee-reg
	mkdir -p "$dir"
	(cd "$dir" && sipp -sf "$ROOT/bench/reg-1000.xml" -inf "$WORK/uas-reg.csv" -i 127.0.0.1 -p "$UAS_PORT" \
		-m 1 -nostdin -timeout 10s -timeout_error "127.0.0.1:$SIPPORT") >"$dir/sipp.out" 2>&1
}

# sipp_calls SUFFIX CALLS RATE HOLD_MS WINDOW_START WINDOW_LEN: one run of
# CALLS calls at RATE/s, each held HOLD_MS; the UAS and the UAC share CPU 1.
# Sets OK, FAILED, SRV_CPU (whole run, or the window when WINDOW_LEN > 0),
# SIPP_CPU (the busier sipp), RSS_MAX, RSS_WIN (MB, sampled in the window),
# UDP_RATE (datagrams/s received on the host during the window).
sipp_calls() {
	local sfx=$1 calls=$2 rate=$3 hold=$4 wstart=$5 wlen=$6 dir port t0 t1 c0 c1 up ucp w0 w1 u0 u1 rssfile
	dir=$WORK/calls$sfx-$rate-$calls-$RANDOM
	mkdir -p "$dir"
	ln -sf "$WORK/bench-tone.wav" "$dir/bench-tone.wav"
	port=$("$WORK/benchgen" -freeport)
	rssfile=$dir/rss
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uas$sfx.xml" -i 127.0.0.1 -p "$UAS_PORT" -mp 31000 \
		-m "$calls" -nostdin -timeout $((calls / rate + hold / 1000 + 30))s -trace_err -error_file "$dir/uas-err.log") \
		>"$dir/uas.out" 2>&1 &
	up=$!
	sleep 0.3
	(while kill -0 "$SRV_PID" 2>/dev/null; do rss_kb "$SRV_PID" >>"$rssfile"; sleep 0.2; done) &
	SAMPLER_PID=$!
	c0=$(cpu_ticks "$SRV_PID")
	t0=$(now)
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uac$sfx.xml" -inf "$WORK/call.csv" -i 127.0.0.1 -p "$port" \
		-mp 30000 -m "$calls" -r "$rate" -rp 1000 -l $((calls + 10)) -d "$hold" -nostdin \
		-timeout $((calls / rate + hold / 1000 + 20))s -timeout_error -recv_timeout 10000 \
		-trace_err -error_file "$dir/uac-err.log" -trace_stat -stf "$dir/stat.csv" -fd 1 "127.0.0.1:$SIPPORT") \
		>"$dir/uac.out" 2>&1 &
	ucp=$!
	SRV_CPU_WIN=""
	RSS_WIN=""
	UDP_RATE=""
	if [ "$wlen" -gt 0 ]; then
		sleep "$wstart"
		w0=$(cpu_ticks "$SRV_PID")
		u0=$(udp_in)
		sleep "$wlen"
		w1=$(cpu_ticks "$SRV_PID")
		u1=$(udp_in)
		SRV_CPU_WIN=$(awk -v a="$w0" -v b="$w1" -v s="$wlen" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
		RSS_WIN=$(awk -v k="$(rss_kb "$SRV_PID")" 'BEGIN { printf "%.1f", k / 1024 }')
		UDP_RATE=$(awk -v a="$u0" -v b="$u1" -v s="$wlen" 'BEGIN { printf "%.0f", (b - a) / s }')
	fi
	local s0 u_s0 smax=0 umax=0 s
	s0=$(cpu_ticks "$ucp")
	u_s0=$(cpu_ticks "$up")
	while kill -0 "$ucp" 2>/dev/null; do
		s=$(cpu_ticks "$ucp"); [ "${s:-0}" -gt "$smax" ] && smax=$s
		s=$(cpu_ticks "$up"); [ "${s:-0}" -gt "$umax" ] && umax=$s
		sleep 0.2
	done
	wait "$ucp" 2>/dev/null || true
	t1=$(now)
	c1=$(cpu_ticks "$SRV_PID")
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=""
	kill "$up" 2>/dev/null || true
	wait "$up" 2>/dev/null || true
	local secs
	secs=$(elapsed "$t0" "$t1")
	SRV_CPU=$(awk -v a="$c0" -v b="$c1" -v s="$secs" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
	[ -n "$SRV_CPU_WIN" ] && SRV_CPU=$SRV_CPU_WIN
	SIPP_CPU=$(awk -v a="$s0" -v b="$smax" -v c="$u_s0" -v d="$umax" -v s="$secs" -v hz="$CLK_TCK" \
		'BEGIN { x = (b - a) * 100 / hz / s; y = (d - c) * 100 / hz / s; printf "%.0f", (x > y ? x : y) }')
	RSS_MAX=$(sort -n "$rssfile" 2>/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')
	OK=0
	FAILED=$calls
	if [ -s "$dir/stat.csv" ]; then
		read -r OK FAILED < <(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "SuccessfulCall(C)") s = i; if ($i == "FailedCall(C)") f = i } }
			END { print $s + 0, $f + 0 }' "$dir/stat.csv")
	fi
	LAST_DIR=$dir
}

# fresh_server: restarts the server and registers the callee again.
fresh_server() {
	stop_server
	start_server
	register_callee || true
}

# call_steps HOLD_MS RATES: steps the call rate, $RUNS runs each, until
# the median success drops below 99 %; sets STEP_RATE, STEP_CPU, STEP_RSS.
call_steps() {
	local hold=$1 rates=$2 rate calls run s LOWER=""
	STEP_RATE="n/a"
	STEP_CPU="n/a"
	STEP_RSS="n/a"
	for rate in $rates; do
		calls=$((rate * (STEP_SECONDS + hold / 1000)))
		succ=()
		cpus=()
		rsss=()
		for run in $(seq 1 "$RUNS"); do
			# Each run on a fresh server: dialogs of an earlier run that
			# failed half-way keep retransmitting BYE/CANCEL for 32 s, and
			# the new callee sipp would count them against its -m.
			fresh_server
			sipp_calls "" "$calls" "$rate" "$hold" 0 0
			succ+=("$(awk -v o="$OK" -v n="$calls" 'BEGIN { printf "%.2f", o * 100 / n }')")
			cpus+=("$SRV_CPU")
			rsss+=("$RSS_MAX")
			[ "$SIPP_CPU" -ge 90 ] && LOWER=" (a sipp used ${SIPP_CPU}% of its CPU: lower bound)"
		done
		s=$(median "${succ[@]}")
		log "calls at $rate/s held ${hold} ms: success ${s}% (runs: ${succ[*]}), server CPU $(median "${cpus[@]}")%, RSS max ${rsss[*]} MB, busier sipp CPU ${SIPP_CPU}%"
		if awk -v s="$s" 'BEGIN { exit !(s >= 99) }'; then
			STEP_RATE="$rate /s (${s}% success)$LOWER"
			STEP_CPU="$(median "${cpus[@]}") %"
			STEP_RSS="$(median "${rsss[@]}") MB"
		else
			break
		fi
	done
	[ "$STEP_RATE" = "n/a" ] && STEP_RATE="n/a: below 99 % success even at the lowest rate"
	[ -z "${rates// /}" ] && STEP_RATE="n/a: skipped (empty list of rates)"
	return 0
}

CALLS_NOTE=""
CALL_RATE="n/a"
HOLD_RATE="n/a"
HOLD_CPU="n/a"
HOLD_RSS="n/a"
CALL_CPU="n/a"
CONC="n/a"
CONC_CPU="n/a"
CONC_RSS="n/a"
CONC_RTP="n/a"
if [ -n "$SIPP_NOTE" ]; then
	CALLS_NOTE="n/a: $SIPP_NOTE"
elif [ -n "${SKIP_CALLS:-}" ]; then
	CALLS_NOTE="n/a: skipped (SKIP_CALLS)"
elif [ -n "$SHOW_NOTE" ]; then
	CALLS_NOTE="n/a: no SIP driver in this build"
else
	start_server
	UAS_PORT=$("$WORK/benchgen" -freeport)
	if ! register_callee; then
		CALLS_NOTE="n/a: the callee (peer 100000) cannot register"
	else
		log "probing one call..."
		sipp_calls "" 1 1 0 0 0
		if [ "$OK" != 1 ]; then
			why=$(grep -o -m1 "received '[^']*" "$LAST_DIR/uac-err.log" | head -c 120 | sed "s/^received '/got /" || true)
			CALLS_NOTE="n/a: one call through the B2BUA fails (${why:-no answer})"
		fi
	fi
	if [ -z "$CALLS_NOTE" ]; then
		call_steps 0 "$CALL_RATES"
		CALL_RATE=$STEP_RATE
		CALL_CPU=$STEP_CPU
		# With a 10 s hold: calls for 10 s more than the step, so that
		# rate x 10 dialogs are up at the end.
		call_steps 10000 "$HOLD_RATES"
		HOLD_RATE=$STEP_RATE
		HOLD_CPU=$STEP_CPU
		HOLD_RSS=$STEP_RSS

		# Concurrent calls with RTP: N calls ramped over 5 s, held
		# HOLD_SECONDS; CPU, RSS and datagram rate sampled while all are up.
		stop_server
		start_server
		register_callee || true
		rss_idle=$(rss_kb "$SRV_PID")
		LOWER=""
		hold_ms=$((HOLD_SECONDS * 1000))
		wlen=$((HOLD_SECONDS - 7))
		[ "$wlen" -lt 2 ] && wlen=2
		for n in $CONCURRENT; do
			rate=$(((n + 4) / 5))
			succ=()
			cpus=()
			rsss=()
			rtps=()
			for run in $(seq 1 "$RUNS"); do
				sipp_calls "-rtp" "$n" "$rate" "$hold_ms" 6 "$wlen"
				succ+=("$(awk -v o="$OK" -v n="$n" 'BEGIN { printf "%.2f", o * 100 / n }')")
				cpus+=("$SRV_CPU")
				rsss+=("$RSS_WIN")
				# Each call: 50 packets/s from each sipp to the server (100),
				# and what the server relays to the two sipps (100 when it
				# relays every packet): relayed = (rate - 100 n) / 100 n.
				rtps+=("$(awk -v r="$UDP_RATE" -v n="$n" 'BEGIN { printf "%.1f", (r - n * 100) * 100 / (n * 100) }')")
				[ "$SIPP_CPU" -ge 90 ] && LOWER=" (a sipp used ${SIPP_CPU}% of its CPU: lower bound)"
				sleep 2
			done
			s=$(median "${succ[@]}")
			c=$(median "${cpus[@]}")
			r=$(median "${rsss[@]}")
			log "$n concurrent RTP calls: success ${s}% (runs: ${succ[*]}), server CPU ${c}% (runs: ${cpus[*]}), RSS ${r} MB, RTP relayed ${rtps[*]} %, busier sipp CPU ${SIPP_CPU}%"
			if awk -v s="$s" -v c="$c" 'BEGIN { exit !(s >= 99 && c <= 80) }'; then
				CONC="$n calls (${s}% success)$LOWER"
				CONC_CPU="$c %"
				CONC_RSS=$(awk -v a="$rss_idle" -v r="$r" -v n="$n" 'BEGIN { printf "%.1f MB (%.1f KB per call)", r, (r * 1024 - a) / n }')
				CONC_RTP="$(median "${rtps[@]}") % of the packets received"
			else
				break
			fi
		done
		[ "$CONC" = "n/a" ] && CONC="n/a: below 99 % success or above 80 % CPU at $(echo "$CONCURRENT" | awk '{ print $1 }') calls"
		[ -z "${CONCURRENT// /}" ] && CONC="n/a: skipped (empty CONCURRENT)"
	fi
	stop_server
fi

# ---------------------------------------------------------------- floods
# Each flood runs for FLOOD_SECONDS on a fresh server: bench/flood, pinned
# to CPU 1 like the sipps, sends as fast as it can (each request a new
# transaction). RSS is sampled every 0.2 s from before the flood until
# FLOOD_AFTER seconds after it; a quarter into the flood a legitimate
# phone (sipp, on CPU 1 too) registers peer 100000 with digest auth
# (reg-1000.xml), then peer 100001 calls it (call-uac.xml -> gostrisk ->
# call-uas.xml as the registered 100000), each within a bound that ends
# before the flood does. The floods' known user is FLOOD_USER, not the
# phone's.
FLOOD_ROWS=()
FLOOD_NOTE=""
PHONE_PORT=""
# phone_during DIR: sets PHONE_REG and PHONE_CALL (yes/no) and PHONE_END
# (when the phone was done, seconds since the epoch).
phone_during() {
	local dir=$1 up port ok
	PHONE_REG=no
	PHONE_CALL=no
	printf 'SEQUENTIAL\n100000;[authentication username=100000 password=pw100000]\n' >"$dir/phone-reg.csv"
	if (cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/reg-1000.xml" -inf "$dir/phone-reg.csv" -i 127.0.0.1 \
		-p "$PHONE_PORT" -m 1 -nostdin -timeout 8s -timeout_error "127.0.0.1:$SIPPORT") >"$dir/phone-reg.out" 2>&1; then
		PHONE_REG=yes
	fi
	# Media ports free now (the fixed ones of the call steps may be taken
	# by whatever else runs on the host).
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uas.xml" -i 127.0.0.1 -p "$PHONE_PORT" -mp "$("$WORK/benchgen" -freeport)" \
		-m 1 -nostdin -timeout 12s) >"$dir/phone-uas.out" 2>&1 &
	up=$!
	sleep 0.2
	port=$("$WORK/benchgen" -freeport)
	if (cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uac.xml" -inf "$WORK/call.csv" -i 127.0.0.1 -p "$port" \
		-mp "$("$WORK/benchgen" -freeport)" -m 1 -d 0 -nostdin -timeout 10s -timeout_error -recv_timeout 8000 \
		-trace_stat -stf "$dir/phone-call.csv" -fd 1 "127.0.0.1:$SIPPORT") >"$dir/phone-call.out" 2>&1; then
		ok=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") s = i } END { print $s + 0 }' "$dir/phone-call.csv" 2>/dev/null || echo 0)
		[ "${ok:-0}" -ge 1 ] && PHONE_CALL=yes
	fi
	kill "$up" 2>/dev/null || true
	wait "$up" 2>/dev/null || true
	PHONE_END=$(now)
}

# flood_step MODE: one flood on a fresh server; appends a row to FLOOD_ROWS.
flood_step() {
	local mode=$1 dir fp before peak after sent secs answered rate arate t_end note=""
	dir=$WORK/flood-$mode
	mkdir -p "$dir"
	start_server
	sleep 2 # let start-up settle (the garbage of boot is handed back)
	before=$(awk -v k="$(rss_kb "$SRV_PID")" 'BEGIN { printf "%.1f", k / 1024 }')
	(while kill -0 "$SRV_PID" 2>/dev/null; do rss_kb "$SRV_PID" >>"$dir/rss"; sleep 0.2; done) &
	SAMPLER_PID=$!
	"${CLI_PIN[@]}" "$WORK/flood" -target "127.0.0.1:$SIPPORT" -mode "$mode" -seconds "$FLOOD_SECONDS" \
		-conns "$FLOOD_CONNS" -user "$FLOOD_USER" -rate "$FLOOD_RATE" >"$dir/flood.out" 2>"$dir/flood.err" &
	fp=$!
	FLOOD_PID=$fp
	sleep "$(awk -v s="$FLOOD_SECONDS" 'BEGIN { printf "%.1f", s / 4 }')"
	phone_during "$dir"
	wait "$fp" || true
	FLOOD_PID=""
	t_end=$(now)
	if awk -v a="$PHONE_END" -v b="$t_end" 'BEGIN { exit !(a > b) }'; then
		note=" (phone done after the flood ended)"
	fi
	sleep "$FLOOD_AFTER"
	after=$(awk -v k="$(rss_kb "$SRV_PID")" 'BEGIN { printf "%.1f", k / 1024 }')
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=""
	peak=$(sort -n "$dir/rss" 2>/dev/null | tail -1 | awk '{ printf "%.1f", $1 / 1024 }')
	stop_server
	sent="" secs="" answered=""
	read -r sent secs answered < <(sed -n 's/^flood .*sent=\([0-9]*\) seconds=\([0-9.]*\) .*answered=\([0-9]*\).*/\1 \2 \3/p' "$dir/flood.out") || true
	if [ -z "${secs:-}" ]; then
		FLOOD_ROWS+=("$(printf '| %-13s | %s |' "$mode" "n/a: the flood did not run: $(tail -1 "$dir/flood.err")")")
		return 0
	fi
	rate=$(awk -v n="$sent" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	arate=$(awk -v n="$answered" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	log "flood $mode: sent ${rate}/s, answered ${arate}/s, RSS ${before} MB before, ${peak} MB peak, ${after} MB ${FLOOD_AFTER} s after; phone registers: $PHONE_REG, calls: $PHONE_CALL$note"
	FLOOD_ROWS+=("$(printf '| %-13s | %9s | %11s | %8s MB | %8s MB | %8s MB | %-9s | %-5s |' \
		"$mode" "$rate" "$arate" "$before" "$peak" "$after" "$PHONE_REG" "$PHONE_CALL$note")")
}

if [ "${FLOOD:-1}" = 0 ]; then
	FLOOD_NOTE="n/a: skipped (FLOOD=0)"
elif [ -n "$SIPP_NOTE" ]; then
	FLOOD_NOTE="n/a: $SIPP_NOTE"
elif [ -n "$SHOW_NOTE" ]; then
	FLOOD_NOTE="n/a: no SIP driver in this build"
else
	PHONE_PORT=$("$WORK/benchgen" -freeport)
	for mode in $FLOOD_MODES; do
		flood_step "$mode"
	done
fi

# ---------------------------------------------------------------- table
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
reg_row "  server RSS at 1,000 REGISTER/s" "$REG_RSS1000"
row "Kamailio 5.6 registrar, same scenario and pinning (>= 99 %)" "${K_NOTE:-$K_RATE}"
if [ -z "$K_NOTE" ]; then
	row "  Kamailio CPU at that rate (% of one core)" "$K_CPU"
	row "  Kamailio memory at 1,000 REGISTER/s (sum of PSS)" "$K_RSS1000"
fi
reg_row "RSS per registered peer" "$RSS_PER_PEER"
# call_row LABEL VALUE: the value, or the reason calls could not run.
call_row() { if [ -n "$CALLS_NOTE" ]; then row "$1" "$CALLS_NOTE"; else row "$1" "$2"; fi; }
call_row "calls/s through the B2BUA, no media, immediate BYE" "$CALL_RATE"
call_row "  server CPU at that rate (% of one core)" "$CALL_CPU"
call_row "calls/s with 10 s hold" "$HOLD_RATE"
call_row "  server CPU / RSS at that rate" "$HOLD_CPU / $HOLD_RSS"
call_row "concurrent G.711 calls relayed both ways (<= 80 % CPU)" "$CONC"
call_row "  server CPU with them up" "$CONC_CPU"
call_row "  server RSS with them up" "$CONC_RSS"
call_row "  RTP relayed by the server (loss = 100 % - this)" "$CONC_RTP"
row "concurrent calls with SRTP on one leg" "see the relay table below (sipp 3.6 has no SRTP)"

# SRTP<->RTP vs RTP<->RTP relay cost per call, measured with the Go load
# program (pkg/rtp driven as the call path drives it; phones in a child
# process on the other CPU). RELAYLOAD=0 skips it (about 75 s).
if [ "$FLOOD_RATE" = 0 ]; then FLOOD_PACE="at the highest rate one sender gives on CPU 1"; else FLOOD_PACE="at $FLOOD_RATE requests/s"; fi
printf '\nFloods (bench/flood, %s s each on a fresh server, %s;\n' "$FLOOD_SECONDS" "$FLOOD_PACE"
printf 'RSS after = %s s after the flood ended; the phone registers and calls during the flood):\n' "$FLOOD_AFTER"
if [ -n "$FLOOD_NOTE" ]; then
	echo "$FLOOD_NOTE"
else
	printf '| %-13s | %9s | %11s | %11s | %11s | %11s | %-9s | %-5s |\n' "flood" "sent /s" "answered /s" "RSS before" "peak RSS" "RSS after" "registers" "calls"
	printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..15})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..13})" \
		"$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..7})"
	printf '%s\n' "${FLOOD_ROWS[@]}"
fi

if [ "${RELAYLOAD:-1}" != 0 ]; then
	printf '\nRelayed calls, SRTP on one leg vs plain RTP (bench/relayload):\n'
	(cd "$ROOT" && go run ./bench/relayload ${RELAYLOAD_ARGS:-}) || echo "relayload failed"
fi

# Terminating RTP: N sessions each fed 20 ms G.711 by a producer goroutine
# (Playback-like), paced by pkg/rtp's shared pacers; a receiver process on
# the other CPU timestamps the packets in the kernel. PLAY=0 skips it;
# PLAY_N (sessions, comma-separated) and PLAY_SECONDS set the run.
if [ "${PLAY:-1}" != 0 ]; then
	printf '\nPaced sessions, frames written by one producer each (bench/rtpplay):\n'
	(cd "$ROOT" && go run ./bench/rtpplay -n "${PLAY_N:-2000}" -dur "${PLAY_SECONDS:-20}s") || echo "rtpplay failed"
	if [ "$(id -u)" = 0 ]; then
		printf '\nThe same with highpriority (asterisk -p: the threads under SCHED_RR):\n'
		(cd "$ROOT" && go run ./bench/rtpplay -highpriority -n "${PLAY_N:-2000}" -dur "${PLAY_SECONDS:-20}s") || echo "rtpplay failed"
	fi
fi

# Calls whose legs speak different codecs: each leg terminates in an RTP
# session and pkg/bridge's frame bridge translates (bench/relayload's
# ulaw-alaw and g722-ulaw modes; phones on the other CPU). TRANSCODE=0
# skips it; TRANSCODE_CALLS sets the call counts.
if [ "${TRANSCODE:-1}" != 0 ]; then
	printf '\nTranslated calls (core frame bridge, bench/relayload):\n'
	(cd "$ROOT" && go run ./bench/relayload -modes ulaw-alaw,g722-ulaw -calls "${TRANSCODE_CALLS:-200,500}") || echo "relayload (translated) failed"
fi

# Channels running Playback of a music file (the wav read, translated to
# µ-law, paced by each channel's RTP session); a "call" is two channels,
# so PLAYBACK_CALLS=1000 is 2,000 playing channels. PLAYBACK=0 skips it.
if [ "${PLAYBACK:-1}" != 0 ]; then
	printf '
Playback channels (Playback app on RTP sessions, bench/relayload; calls x 2 = channels;
'
	printf '"packets/s relayed" = packets the sessions received from the phones, "received" = packets played to them):
'
	(cd "$ROOT" && go run ./bench/relayload -modes playback -calls "${PLAYBACK_CALLS:-500,1000}") || echo "relayload (playback) failed"
fi

# Conferences (issue 22): every channel a ConfBridge participant on an RTP
# session, conferences of 10 (2 talkers) and 100 (3 talkers); a "call" is
# two participants. Then µ-law calls recorded by MixMonitor (frame bridge
# plus the recording) against the same frame bridge unrecorded. CONF=0
# skips it; CONF_CALLS and MIXMON_CALLS set the counts.
if [ "${CONF:-1}" != 0 ]; then
	printf '\nConference participants (ConfBridge on RTP sessions, bench/relayload; calls x 2 = participants):\n'
	(cd "$ROOT" && go run ./bench/relayload -modes conf10,conf100 -calls "${CONF_CALLS:-250,500,750}") || echo "relayload (conferences) failed"
	printf '\nCalls recorded by MixMonitor (bench/relayload mixmonitor; ulaw-alaw is the frame bridge alone):\n'
	(cd "$ROOT" && go run ./bench/relayload -modes mixmonitor,ulaw-alaw -calls "${MIXMON_CALLS:-250,500}") || echo "relayload (mixmonitor) failed"
fi

# Callers leaving voicemail (VoiceMail on RTP sessions recording to a
# temporary spool, format= VOICEMAIL_FORMAT); a "call" is two callers.
# VOICEMAIL=0 skips it.
if [ "${VOICEMAIL:-1}" != 0 ]; then
	printf '\nCallers leaving voicemail (VoiceMail recording to disk, bench/relayload; calls x 2 = callers;\n'
	printf '"packets/s relayed" = packets recorded; the phones get nothing back):\n'
	(cd "$ROOT" && go run ./bench/relayload -modes voicemail -vmformat "${VOICEMAIL_FORMAT:-wav}" -calls "${VOICEMAIL_CALLS:-250,500}") || echo "relayload (voicemail) failed"
fi
