#!/usr/bin/env bash
# Kamailio stateful relay vs Tandem, one run, same machine, same offered rates:
#   SIPp caller (bench/sipp/uac-relay.xml, 127.0.0.1:5090)
#     -> Kamailio (/work/shared/bench/kamailio-relay.cfg, tm + rr, 127.0.0.1:5080)
#        or Tandem (bench/sipp/tandem-relay.conf, 127.0.0.1:5060)
#     -> SIPp carrier (bench/sipp/uas-relay.xml, 127.0.0.1:5070)
# INVITE/100/180/200/ACK/BYE/200 over UDP, no hold (-d 0). For each target: the relay's idle
# CPU, then per rate the calls the caller completed and failed, the calls the carrier failed
# (leg B: through a B2BUA the caller may not see them), INVITE retransmissions by the caller,
# the relay's CPU (utime+stime of its whole process tree) as % of one core, CPU ms per
# completed call, and both SIPps' CPU. The targets run one after the other, never together.
#
#   bench/relay-compare.sh                                   # defaults, both targets
#   bench/relay-compare.sh RATES=500,1000 STEP_S=10 WHICH=tandem
#   WARMUP_S=20 bench/relay-compare.sh        # keys work as env vars too; a JIT warm-up step
# Keys (default): RATES (500,1000,2000,3000) STEP_S (20) SETTLE_S (5) IDLE_S (10) WARMUP_S (0,
#   a step at the first rate, not reported) WHICH (both|kamailio|tandem) TANDEM_JAVA_OPTS
#   (-Xms2g -Xmx2g) TANDEM_JAR (b2bua-app/target/tandem.jar) UAC_PORT (5090) KAMAILIO_CFG.
# Never builds. Output: tables on stdout and in bench/target/relay-compare-<timestamp>.txt;
# logs, SIPp stat/count/error files and Tandem's CDRs in bench/target/relay-compare-<timestamp>/.
# A rate marked * ran while other Java/SIPp/Kamailio processes were up: don't trust its CPU.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"   # the jar path and Tandem's CDR directory are relative to the repository

for arg in "$@"; do
  case "$arg" in
    RATES=*|STEP_S=*|SETTLE_S=*|IDLE_S=*|WARMUP_S=*|TANDEM_JAVA_OPTS=*|TANDEM_JAR=*|WHICH=*|UAC_PORT=*|KAMAILIO_CFG=*)
      declare "${arg%%=*}=${arg#*=}" ;;
    *) echo "unknown argument: $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done
RATES=${RATES:-500,1000,2000,3000}; STEP_S=${STEP_S:-20}; SETTLE_S=${SETTLE_S:-5}
IDLE_S=${IDLE_S:-10}; WARMUP_S=${WARMUP_S:-0}; WHICH=${WHICH:-both}
TANDEM_JAVA_OPTS=${TANDEM_JAVA_OPTS:--Xms2g -Xmx2g}; TANDEM_JAR=${TANDEM_JAR:-b2bua-app/target/tandem.jar}
UAC_PORT=${UAC_PORT:-5090}; KAMAILIO_CFG=${KAMAILIO_CFG:-/work/shared/bench/kamailio-relay.cfg}
IFS=, read -r -a rates <<< "$RATES"
for r in "${rates[@]}" "$STEP_S" "$SETTLE_S" "$IDLE_S" "$WARMUP_S" "$UAC_PORT"; do
  [[ "$r" =~ ^[0-9]+$ ]] || { echo "not a whole number: $r" >&2; exit 2; }
done
case "$WHICH" in both) targets=(kamailio tandem) ;; kamailio|tandem) targets=("$WHICH") ;;
  *) echo "WHICH must be both, kamailio or tandem" >&2; exit 2 ;; esac
[[ " ${targets[*]} " != *" tandem "* || -f "$TANDEM_JAR" ]] || { echo "no jar: $TANDEM_JAR" >&2; exit 2; }

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"   # tree, ticks, reaped, running, stop, now_ms, field, ports_free
# SIP, SIPp's media ports (-mp, +2 for RTP echo), Tandem's Prometheus endpoint (see its conf).
ports="5060|5070|5080|${UAC_PORT}|6000|6002|6100|6102|9097"
ports_free "$ports" || exit 1

stamp=$(date +%Y%m%d-%H%M%S)
logs="$root/bench/target/relay-compare-$stamp"; report="$root/bench/target/relay-compare-$stamp.txt"
mkdir -p "$logs"
hz=$(getconf CLK_TCK)
started=()   # every pid this script started, stopped in reverse order

pct() { awk -v c="$1" -v hz="$hz" -v d="$2" 'BEGIN{printf "%.1f", c/hz*1000/d*100}'; }   # TICKS MS
foreign() {   # Java, SIPp and Kamailio processes this script did not start
  local mine p; mine=" $(tree $$ | tr '\n' ' ') "
  for p in $(ps -eo pid=,comm= | awk '$2 ~ /^(java|sipp|kamailio)$/ {print $1}'); do
    [[ "$mine" == *" $p "* ]] || ps -o pid=,args= -p "$p" 2>/dev/null | cut -c1-120
  done
}
others=$(foreign)

stop_started() {
  local i
  for ((i=${#started[@]}-1; i>=0; i--)); do stop "${started[i]}"; done
  started=()
}
wait_for() {   # wait_for SECONDS COMMAND...: poll until COMMAND succeeds, bounded
  local n=$(( $1 * 5 )) i; shift
  for ((i=0; i<n; i++)); do "$@" && return 0; sleep 0.2; done
  return 1
}
udp_bound() { ss -lun | awk '{print $4}' | grep -qx "127.0.0.1:$1"; }
# Between caller runs a placeholder holds the caller's port: other load scripts on this shared
# machine wait for 5090 to be free, and one starting mid-run would take the port and the CPU.
guard_pid=""
guard() {
  if [[ "$1" == on ]]; then
    python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.bind(("127.0.0.1",int(sys.argv[1]))); time.sleep(3600)' "$UAC_PORT" &
    guard_pid=$!; wait_for 5 udp_bound "$UAC_PORT" || true
  elif [[ -n "$guard_pid" ]]; then
    stop "$guard_pid"; guard_pid=""
  fi
}
trap 'guard off; stop_started' EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM
guard on

start_uas() {   # -default_behaviors: see uas-relay.xml
  (cd "$logs/$1" && exec sipp -sf "$root/bench/sipp/uas-relay.xml" -i 127.0.0.1 -p 5070 -mp 6000 \
     -buff_size 4194304 -nostdin -default_behaviors all,-abortunexp \
     -trace_err -trace_stat -trace_counts -fd 1 -stf uas_stat.csv >uas.out 2>&1) &
  started+=($!); uas_pid=$!
  wait_for 10 udp_bound 5070 || { echo "SIPp uas did not bind 5070 (see $logs/$1/uas.out)" >&2; exit 1; }
}
start_kamailio() {
  local d="$logs/kamailio/run"; mkdir -p "$d/run"
  sed "s|@RUN@|$d|g" "$KAMAILIO_CFG" > "$d/kamailio.cfg"
  kamailio -DD -E -f "$d/kamailio.cfg" -Y "$d/run" -P "$d/kamailio.pid" -m 1024 -M 16 \
    > "$logs/kamailio/kamailio.log" 2>&1 &
  started+=($!); relay_pid=$!; relay_port=5080
  wait_for 20 udp_bound 5080 || { echo "Kamailio did not start (see $logs/kamailio/kamailio.log)" >&2; exit 1; }
}
start_tandem() {
  local log="$logs/tandem/tandem.log"
  # shellcheck disable=SC2086  # TANDEM_JAVA_OPTS is a list of options
  TANDEM_CDR_DIR="$logs/tandem/cdr" java $TANDEM_JAVA_OPTS -jar "$TANDEM_JAR" \
    --config bench/sipp/tandem-relay.conf > "$log" 2>&1 &
  started+=($!); relay_pid=$!; relay_port=5060
  wait_for 60 grep -q "listening on UDP" "$log" || { echo "Tandem did not start (see $log)" >&2; exit 1; }
}

declare -A ok fail bfail retr cpu mspc wall sippc idle noisy
run_uac() {   # run_uac TARGET RATE SECONDS DIR: one SIPp caller run and its figures
  local t=$1 rate=$2 secs=$3 dir=$4 n=$(( $2 * $3 )) k="$1:$2" c0 c1 t0 t1 s0 s1 rc=0 counts
  mkdir -p "$dir"
  guard off
  s0=$(( $(reaped) + $(ticks "$uas_pid") )); c0=$(ticks "$relay_pid"); t0=$(now_ms)
  # -l: SIPp's default (3 * duration * rate) is 0 with -d 0; 12 s of calls outlasts the 10 s
  # -recv_timeout that fails a call, so the offered rate does not back off, capped below the
  # 20,000 open files SIPp may have. SIPp's -timeout and the outer timeout bound the step.
  local open=$(( rate * 12 < 18000 ? rate * 12 : 18000 ))
  (cd "$dir" && exec timeout -k 5 $((secs + 60)) sipp -sf "$root/bench/sipp/uac-relay.xml" -s 1000 \
     "127.0.0.1:$relay_port" -i 127.0.0.1 -p "$UAC_PORT" -mp 6100 -r "$rate" -m "$n" -l "$open" \
     -d 0 -buff_size 4194304 -nostdin -recv_timeout 10000 -timeout $((secs + 45))s \
     -trace_stat -fd 1 -stf stat.csv -trace_counts -trace_err >uac.out 2>&1) &
  local uac=$! seen=""
  started+=("$uac")
  while running "$uac"; do [[ -n "$seen" ]] || seen=$(foreign); sleep 2; done   # bounded by timeout
  wait "$uac" || rc=$?; unset 'started[${#started[@]}-1]'
  t1=$(now_ms); c1=$(ticks "$relay_pid"); s1=$(( $(reaped) + $(ticks "$uas_pid") ))
  guard on
  [[ -z "$seen" ]] || { noisy[$k]="*"; printf "%s %s:\n%s\n" "$t" "$rate" "$seen" >> "$logs/foreign.txt"; }
  counts=$(ls "$dir"/*_counts.csv 2>/dev/null | head -1 || true)
  ok[$k]=$(field "$dir/stat.csv" "SuccessfulCall(C)")
  fail[$k]=$(( n - ok[$k] ))   # SIPp's failed calls and any it never ended before its timeout
  retr[$k]=$( [[ -n "$counts" ]] && field "$counts" 0_INVITE_Retrans || echo "?")
  wall[$k]=$(awk -v d=$((t1 - t0)) 'BEGIN{printf "%.1f", d/1000}')
  cpu[$k]=$(pct $((c1 - c0)) $((t1 - t0)))
  mspc[$k]=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v n="${ok[$k]}" 'BEGIN{if(n>0) printf "%.3f", c/hz*1000/n; else print "-"}')
  sippc[$k]=$(pct $((s1 - s0)) $((t1 - t0)))   # relay + SIPp near 200: both cores were full
  [[ $rc == 0 || $rc == 1 ]] || echo "  (sipp exit $rc: see $dir/uac.out)" >&2
}

events() { cat "$@" 2>/dev/null | grep -cP '^\d{4}-\d\d-\d\d\t' || true; }   # SIPp error-log entries
table() {   # table TARGET
  local d="$logs/$1" counts r k f="%6s | %7s %7s %8s %7s | %7s %7s %7s %6s\n"
  counts=$(ls "$d"/uas-relay_*_counts.csv 2>/dev/null | head -1 || true)
  printf "%s: idle CPU %s%% of one core over %s s; SIPp error-log entries: caller %s, carrier %s" \
    "$1" "${idle[$1]}" "$IDLE_S" "$(events "$d"/*/*_errors.log)" "$(events "$d"/*_errors.log)"
  [[ -z "$counts" ]] || printf "; unexpected at the carrier (ignored): %s" \
    "$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i ~ /_Unexp$/) u[i]=1} END{for(i in u) n+=$i; print n+0}' "$counts")"
  # Not counted: Kamon's start-up notice that no Kanela agent is attached, and Pekko's one at stop.
  [[ "$1" != tandem ]] || printf "; Tandem log WARN/ERROR lines: %s" \
    "$(grep -E ' (WARN|ERROR) ' "$d/tandem.log" | grep -cvE 'kamon.Init - .*Kanela|CoordinatedShutdown' || true)"
  printf "\n$f" rate ok failed uas-fail INV-rtx "CPU%" ms/call wall_s SIPp%
  for r in "${rates[@]}"; do
    k="$1:$r"
    printf "$f" "$r${noisy[$k]:-}" "${ok[$k]}" "${fail[$k]}" "${bfail[$k]}" "${retr[$k]}" \
      "${cpu[$k]}" "${mspc[$k]}" "${wall[$k]}" "${sippc[$k]}"
  done
  echo
}

for t in "${targets[@]}"; do
  mkdir -p "$logs/$t"
  echo "== $t: starting" >&2
  start_uas "$t"; "start_$t"
  sleep 3   # past start-up work (Kamailio's forks, Tandem's class loading) before idle counts
  c0=$(ticks "$relay_pid"); t0=$(now_ms); sleep "$IDLE_S"
  idle[$t]=$(pct $(( $(ticks "$relay_pid") - c0 )) $(( $(now_ms) - t0 )))
  if (( WARMUP_S > 0 )); then   # JIT for Tandem; run for both so the steps see the same history
    echo "== $t: warm-up ${rates[0]} calls/s for $WARMUP_S s (not reported)" >&2
    run_uac "$t" "${rates[0]}" "$WARMUP_S" "$logs/$t/warmup"; sleep "$SETTLE_S"
  fi
  # The carrier's failures, from its stat file (written every second), after each settle.
  uas_failed=$(field "$logs/$t/uas_stat.csv" "FailedCall(C)")
  for r in "${rates[@]}"; do
    echo "== $t: $r calls/s for $STEP_S s" >&2
    run_uac "$t" "$r" "$STEP_S" "$logs/$t/$r"
    sleep "$SETTLE_S"
    n=$(field "$logs/$t/uas_stat.csv" "FailedCall(C)"); bfail[$t:$r]=$(( n - uas_failed )); uas_failed=$n
    echo "   ok ${ok[$t:$r]} failed ${fail[$t:$r]} (uas ${bfail[$t:$r]}) CPU ${cpu[$t:$r]}% ${mspc[$t:$r]} ms/call" >&2
  done
  stop_started
done
guard off

# Which build was measured: the jar may be rebuilt between runs.
[[ ! -f "$TANDEM_JAR" ]] || jar_id="$(date -r "$TANDEM_JAR" '+built %F %T'), sha256 $(sha256sum "$TANDEM_JAR" | cut -c1-12)"
{
  echo "relay-compare $stamp: rates $RATES calls/s, $STEP_S s each, settle $SETTLE_S s, warm-up $WARMUP_S s;" \
       "CPU = relay process tree, SIPp% = both SIPps, % of one core ($(nproc) cores)"
  [[ " ${targets[*]} " != *" tandem "* ]] || echo "Tandem: $TANDEM_JAR $TANDEM_JAVA_OPTS ($jar_id)"
  [[ -z "$others" ]] || printf "other Java/SIPp/Kamailio processes at the start:\n%s\n" "$others"
  [[ ! -f "$logs/foreign.txt" ]] || printf "* other Java/SIPp/Kamailio processes during:\n%s\n" "$(cat "$logs/foreign.txt")"
  echo
  for t in "${targets[@]}"; do table "$t"; done
  if [[ "$WHICH" == both ]]; then
    echo "side by side (ratio = Tandem ms/call / Kamailio ms/call); idle CPU: Kamailio ${idle[kamailio]}%, Tandem ${idle[tandem]}%"
    echo "ok/fail/uas = calls the caller completed / the caller failed / the carrier failed"
    f="%6s | %18s %6s %8s | %18s %6s %8s | %6s\n"
    printf "$f" rate "Kamailio ok/fail/uas" "CPU%" ms/call "Tandem ok/fail/uas" "CPU%" ms/call ratio
    for r in "${rates[@]}"; do
      k="kamailio:$r"; d="tandem:$r"; m=${noisy[$k]:-}${noisy[$d]:-}
      ratio=$(awk -v a="${mspc[$k]}" -v b="${mspc[$d]}" 'BEGIN{if(a+0>0 && b+0>0) printf "%.1f", b/a; else print "-"}')
      printf "$f" "$r${m:0:1}" "${ok[$k]}/${fail[$k]}/${bfail[$k]}" "${cpu[$k]}" "${mspc[$k]}" \
        "${ok[$d]}/${fail[$d]}/${bfail[$d]}" "${cpu[$d]}" "${mspc[$d]}" "$ratio"
    done
  fi
} | tee "$report"
echo "report: $report; logs: $logs" >&2
