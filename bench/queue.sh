#!/usr/bin/env bash
# bench/queue.sh -- queue (app_queue) figures for bench/RESULTS.md.
#
# Starts gostrisk on the sample configuration (pinned to CPU 0, sipp to
# CPU 1 when there are two CPUs) with two queues, and measures:
#   - waiting callers: WAIT_CALLS callers (sipp, bench/call-uac.xml held
#     WAIT_HOLD ms) answered and queued in a queue whose only member is not
#     registered, so every one of them hears the default music on hold; the
#     server's CPU % over a WAIT_WINDOW s window once they all wait, the
#     UDP datagrams/s the host received meanwhile (the music sent to the
#     callers: 50 packets/s each), and RSS. Callers per core = calls * 100 /
#     CPU %.
#   - distribution: DIST_CALLS callers at each rate of DIST_RATES into a
#     queue with one registered agent (bench/call-uas.xml, ringinuse=yes so
#     it takes calls in parallel); each caller waits (music), the agent is
#     rung, answers, the caller is connected and hangs up at once: the
#     calls completed per second with >= 99 % success, and CPU %.
# It is a measurement, not a test: it exits 0 unless it cannot run.
#
# Knobs: WAIT_CALLS="250 500 1000" WAIT_HOLD=25000 WAIT_WINDOW=8
#   DIST_RATES="25 50 100 200 400" DIST_CALLS=1000 KEEP=1
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WAIT_CALLS=${WAIT_CALLS-"250 500 1000"}
WAIT_HOLD=${WAIT_HOLD:-25000}
WAIT_WINDOW=${WAIT_WINDOW:-8}
DIST_RATES=${DIST_RATES-"25 50 100 200 400"}
DIST_CALLS=${DIST_CALLS:-1000}
CLK_TCK=$(getconf CLK_TCK)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gostrisk-qbench.XXXXXX")
SRV_PID=""
cleanup() {
	if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
		kill "$SRV_PID" 2>/dev/null || true
		wait "$SRV_PID" 2>/dev/null || true
	fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap cleanup EXIT
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
cpu_ticks() { awk '{ i = index($0, ") "); split(substr($0, i + 2), f, " "); print f[12] + f[13] }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }
udp_in() { awk '/^Udp:/ { n++; if (n == 2) { print $2 + $3 + $4; exit } }' /proc/net/snmp; }
command -v sipp >/dev/null 2>&1 || { echo "sipp is not installed (apt-get install sip-tester)"; exit 1; }

SRV_PIN=()
CLI_PIN=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null 2>&1; then
	SRV_PIN=(taskset -c 0)
	CLI_PIN=(taskset -c 1)
fi

log "building gostrisk..."
(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -o "$WORK/gostrisk" ./cmd/gostrisk)
(cd "$ROOT" && go build -o "$WORK/benchgen" ./bench/benchgen)
ETC=$WORK/etc
mkdir -p "$ETC"
cp "$ROOT"/samples/etc-asterisk/*.conf "$ETC/"
SIPPORT=$("$WORK/benchgen" -freeport)
sed -i "s|^bindport=.*|bindport=$SIPPORT|; s|^register *=>.*||" "$ETC/sip.conf"
sed -i "s|^verbose = .*|verbose = 0|" "$ETC/asterisk.conf"
sed -i "s|^rtpstart=.*|rtpstart=40000|; s|^rtpend=.*|rtpend=49999|" "$ETC/rtp.conf"
cat >"$ETC/queues.conf" <<'Q'
[waitq]
musicclass = default
member => SIP/6002

[distq]
strategy = rrmemory
timeout = 10
retry = 1
member => SIP/6000
Q
printf '\n[6002]\ntype=friend\nhost=dynamic\nsecret=test\ncontext=work\n' >>"$ETC/sip.conf"
sed -i 's|^\[work\]$|[work]\nexten => 7100,1,Answer()\n same => n,Queue(waitq)\n same => n,Hangup()\nexten => 7200,1,Queue(distq)\n same => n,Hangup()|' "$ETC/extensions.conf"
printf 'SEQUENTIAL\n6000;[authentication username=6000 password=test]\n' >"$WORK/agent-reg.csv"
printf 'SEQUENTIAL\n6001;[authentication username=6001 password=test];7100\n' >"$WORK/wait.csv"
printf 'SEQUENTIAL\n6001;[authentication username=6001 password=test];7200\n' >"$WORK/dist.csv"

start_server() {
	(cd "$ETC" && exec "${SRV_PIN[@]}" "$WORK/gostrisk" -f -q -C "$ETC/asterisk.conf") >"$WORK/server.out" 2>&1 &
	SRV_PID=$!
	for _ in $(seq 100); do
		"$WORK/gostrisk" -C "$ETC/asterisk.conf" -rx "core waitfullybooted" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "server did not start:"; cat "$WORK/server.out"; exit 1
}
stop_server() {
	# The callers still queued would hold a graceful stop (SIGTERM).
	"$WORK/gostrisk" -C "$ETC/asterisk.conf" -rx "core stop now" >/dev/null 2>&1 || kill "$SRV_PID" 2>/dev/null || true
	wait "$SRV_PID" 2>/dev/null || true
	SRV_PID=""
}

echo "## queue figures ($(date -u '+%Y-%m-%d %H:%M') UTC, commit $(cd "$ROOT" && git rev-parse --short HEAD), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| waiting callers (music on hold) | server CPU % of one core | callers per core | UDP in/s | RSS MB | in queue |"
echo "|---|---|---|---|---|---|"
for n in $WAIT_CALLS; do
	start_server
	dir=$WORK/wait-$n
	mkdir -p "$dir"
	port=$("$WORK/benchgen" -freeport)
	rate=$((n / 5 > 50 ? n / 5 : 50))
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uac.xml" -inf "$WORK/wait.csv" -i 127.0.0.1 -p "$port" \
		-mp 30000 -m "$n" -r "$rate" -l $((n + 10)) -d "$WAIT_HOLD" -nostdin -timeout $((WAIT_HOLD / 1000 + 60))s \
		-trace_err -error_file "$dir/uac-err.log" -trace_stat -stf "$dir/stat.csv" -fd 1 "127.0.0.1:$SIPPORT") >"$dir/uac.out" 2>&1 &
	ucp=$!
	sleep $((n / rate + 3))
	inq=$("$WORK/gostrisk" -C "$ETC/asterisk.conf" -rx "queue show waitq" | head -1 | awk '{ print $3 }')
	c0=$(cpu_ticks "$SRV_PID"); u0=$(udp_in)
	sleep "$WAIT_WINDOW"
	c1=$(cpu_ticks "$SRV_PID"); u1=$(udp_in)
	rss=$(rss_mb "$SRV_PID")
	cpu=$(awk -v a="$c0" -v b="$c1" -v s="$WAIT_WINDOW" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
	udp=$(awk -v a="$u0" -v b="$u1" -v s="$WAIT_WINDOW" 'BEGIN { printf "%.0f", (b - a) / s }')
	per=$(awk -v n="$inq" -v c="$cpu" 'BEGIN { if (c > 0) printf "%.0f", n * 100 / c; else print "n/a" }')
	echo "| $n | $cpu | $per | $udp | $rss | $inq |"
	kill "$ucp" 2>/dev/null || true
	wait "$ucp" 2>/dev/null || true
	stop_server
done
echo
echo "| distribution rate (callers/s offered) | completed | failed | server CPU % | completed/s |"
echo "|---|---|---|---|---|"
for r in $DIST_RATES; do
	start_server
	dir=$WORK/dist-$r
	mkdir -p "$dir"
	aport=$("$WORK/benchgen" -freeport)
	(cd "$dir" && sipp -sf "$ROOT/bench/reg-1000.xml" -inf "$WORK/agent-reg.csv" -i 127.0.0.1 -p "$aport" -m 1 -nostdin \
		-timeout 10s -timeout_error "127.0.0.1:$SIPPORT") >"$dir/reg.out" 2>&1 || true
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uas.xml" -i 127.0.0.1 -p "$aport" -mp 31000 \
		-m "$DIST_CALLS" -nostdin -timeout $((DIST_CALLS / r + 40))s) >"$dir/uas.out" 2>&1 &
	up=$!
	sleep 0.3
	port=$("$WORK/benchgen" -freeport)
	c0=$(cpu_ticks "$SRV_PID"); t0=$(date +%s.%N)
	(cd "$dir" && exec "${CLI_PIN[@]}" sipp -sf "$ROOT/bench/call-uac.xml" -inf "$WORK/dist.csv" -i 127.0.0.1 -p "$port" \
		-mp 30000 -m "$DIST_CALLS" -r "$r" -l $((DIST_CALLS + 10)) -d 0 -nostdin -timeout $((DIST_CALLS / r + 30))s \
		-recv_timeout 15000 -trace_stat -stf "$dir/stat.csv" -fd 1 "127.0.0.1:$SIPPORT") >"$dir/uac.out" 2>&1 || true
	t1=$(date +%s.%N); c1=$(cpu_ticks "$SRV_PID")
	kill "$up" 2>/dev/null || true
	wait "$up" 2>/dev/null || true
	ok=0; failed=$DIST_CALLS
	if [ -s "$dir/stat.csv" ]; then
		read -r ok failed < <(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "SuccessfulCall(C)") s = i; if ($i == "FailedCall(C)") f = i } }
			END { print $s + 0, $f + 0 }' "$dir/stat.csv")
	fi
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	cpu=$(awk -v a="$c0" -v b="$c1" -v s="$secs" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", (b - a) * 100 / hz / s }')
	cps=$(awk -v n="$ok" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
	echo "| $r | $ok | $failed | $cpu | $cps |"
	stop_server
done
