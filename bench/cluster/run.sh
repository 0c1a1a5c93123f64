#!/usr/bin/env bash
# Tandem as a cluster of three node processes on 127.0.0.1:5060 (conf/examples/cluster, with
# SO_REUSEPORT), against one node alone, under the same calls:
#   SIPp caller (bench/sipp/uac-basic.xml, one UDP socket per call: -t un, so the kernel spreads
#   the calls over the nodes) -> Tandem -> SIPp carrier (bench/cluster/uas-ring.xml, rings 2-3 s)
# each call held HOLD_MS after its answer. Three runs, one after the other:
#   single   one node (cluster off): CPU per completed call, the reference
#   kill     three nodes; KILL_AT_S into the run, kill -9 of node 2. Reported: the calls
#            answered and ringing on each node just before the kill (GET /calls), the time until
#            node 1 no longer lists node 2 as a member (failure detection + downing), the calls
#            the caller completed and failed, and CPU per completed call of the three nodes
#   rolling  three nodes; from KILL_AT_S, each node in turn stopped with SIGTERM (it leaves the
#            cluster), started again and waited for (Up on node 1's view); calls completed/failed
#
#   bench/cluster/run.sh                         # RATE=20 DURATION_S=60 HOLD_MS=25000 KILL_AT_S=40
#   bench/cluster/run.sh RATE=50 WHICH=kill      # keys work as env vars too
# Before each run, WARMUP_S of short calls at WARMUP_RATE (not counted) lets the JIT compile the
# call path; then the idle CPU of IDLE_S, which the CPU per call figures leave out.
# Keys (default): RATE (20 calls/s) DURATION_S (60: calls are placed for this long) HOLD_MS
#   (25000) KILL_AT_S (40) WARMUP_S (20) WARMUP_RATE (5 x RATE) IDLE_S (10) WHICH (all|single|kill|rolling)
#   RECV_TIMEOUT_S (32: how long the caller waits for each answer before it fails the call, as
#   RFC 3261's Timer B and F, 64 x T1, give a UA; runs before 2026-12-03 17:40 used 10)
#   JAVA_OPTS (-Xms512m -Xmx512m)
#   EXTRA_CONF (none: a file whose HOCON is added to every node's configuration, the single
#   node's too, over the example's: settings to compare in otherwise equal runs)
#   TANDEM_JAR (b2bua-app/target/tandem.jar) CARRIER_PORT (5099). Never builds.
# Output: tables on stdout and in bench/target/cluster-<timestamp>.txt; node logs, generated
# configurations, SIPp files and CDRs in bench/target/cluster-<timestamp>/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
for arg in "$@"; do
  case "$arg" in
    RATE=*|DURATION_S=*|HOLD_MS=*|KILL_AT_S=*|WARMUP_S=*|WARMUP_RATE=*|IDLE_S=*|WHICH=*|JAVA_OPTS=*|TANDEM_JAR=*|CARRIER_PORT=*|RECV_TIMEOUT_S=*|EXTRA_CONF=*)
      declare "${arg%%=*}=${arg#*=}" ;;
    *) echo "unknown argument: $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done
RATE=${RATE:-20}; DURATION_S=${DURATION_S:-60}; HOLD_MS=${HOLD_MS:-25000}; KILL_AT_S=${KILL_AT_S:-40}
WHICH=${WHICH:-all}; JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx512m}; TANDEM_JAR=${TANDEM_JAR:-b2bua-app/target/tandem.jar}
CARRIER_PORT=${CARRIER_PORT:-5099}; WARMUP_S=${WARMUP_S:-20}; IDLE_S=${IDLE_S:-10}
RECV_TIMEOUT_S=${RECV_TIMEOUT_S:-32}; EXTRA_CONF=${EXTRA_CONF:-}
[[ -z "$EXTRA_CONF" || -f "$EXTRA_CONF" ]] || { echo "no such file: EXTRA_CONF=$EXTRA_CONF" >&2; exit 2; }
WARMUP_RATE=${WARMUP_RATE:-$(( RATE * 5 ))}
for n in "$RATE" "$DURATION_S" "$HOLD_MS" "$KILL_AT_S" "$WARMUP_S" "$WARMUP_RATE" "$IDLE_S" "$CARRIER_PORT" \
    "$RECV_TIMEOUT_S"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "not a whole number: $n" >&2; exit 2; }
done
case "$WHICH" in all) runs=(single kill rolling) ;; single|kill|rolling) runs=("$WHICH") ;;
  *) echo "WHICH must be all, single, kill or rolling" >&2; exit 2 ;; esac
[[ -f "$TANDEM_JAR" ]] || { echo "no jar: $TANDEM_JAR (mvn -B -q package -DskipTests)" >&2; exit 2; }
command -v sipp > /dev/null || { echo "no sipp (apt-get install -y sip-tester)" >&2; exit 2; }
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"   # tree, ticks, jit_ticks, reaped, running, stop, now_ms, field, ports_free
ports="5060|5070|5071|5072|5073|${CARRIER_PORT}|8088|8089|8090|9095|9096|9097|25521|25522|25523"
ports_free "$ports" || exit 1

stamp=$(date +%Y%m%d-%H%M%S)
logs="$root/bench/target/cluster-$stamp"; report="$root/bench/target/cluster-$stamp.txt"
mkdir -p "$logs"
hz=$(getconf CLK_TCK)
declare -A pid=()
say() { echo "$*" | tee -a "$report"; }

# The example node configurations, routed to the SIPp carrier instead of the demo carrier.
overrides="tandem.demo-carrier.enabled = false
tandem.routing.carriers.sipp { address = \"127.0.0.1\", port = $CARRIER_PORT }
tandem.routing.routes = [ { name = default, carriers = [sipp] } ]
tandem.cdr.directory = \"$logs/cdr\""
[[ -n "$EXTRA_CONF" ]] && overrides+=$'\n'"$(cat "$EXTRA_CONF")"
for n in 1 2 3; do
  printf 'include file("%s")\n%s\n' "$root/conf/examples/cluster/node-$n.conf" "$overrides" > "$logs/node-$n.conf"
done
printf 'include file("%s")\n%s\ntandem.admin.enabled = true\n' "$root/conf/application.conf" "$overrides" \
  > "$logs/single.conf"

start_node() {   # start_node NAME: the node's process, its log in $logs
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$TANDEM_JAR" --config "$logs/$1.conf" >> "$logs/$1.log" 2>&1 &
  pid[$1]=$!
}
members_up() {   # how many members node 1 (admin 8088) sees Up; 0 when it does not answer
  curl -s -m 2 http://127.0.0.1:8088/cluster 2>/dev/null \
    | python3 -c 'import json,sys; print(sum(m["status"]=="Up" for m in json.load(sys.stdin)["members"]))' \
    2>/dev/null || echo 0
}
gone_from() {   # gone_from ADMIN_PORT CLUSTER_PORT: that node answers /cluster and lists no such member
  curl -s -m 5 "http://127.0.0.1:$1/cluster" 2>/dev/null | python3 -c '
import json,sys
members=[m["address"] for m in json.load(sys.stdin)["members"]]
sys.exit(0 if members and not any(a.endswith(":'"$2"'") for a in members) else 1)' 2>/dev/null
}
await() {   # await SECONDS COMMAND...: until COMMAND succeeds; 1 on timeout
  local deadline=$(( $(now_ms) + $1 * 1000 )); shift
  until "$@"; do (( $(now_ms) < deadline )) || return 1; sleep 0.2; done
}
up_is() { [[ $(members_up) == "$1" ]]; }
ready() { curl -s -m 1 -o /dev/null "http://127.0.0.1:$1/ready"; }
call_states() {   # call_states ADMIN_PORT: "answered ringing" of that node's calls
  curl -s -m 3 "http://127.0.0.1:$1/calls" 2>/dev/null | python3 -c '
import json,sys
c=json.load(sys.stdin)["calls"]
print(sum(x["state"]=="answered" for x in c), sum(x["state"] in ("ringing","trying") for x in c))' \
    2>/dev/null || echo "- -"
}
recovered_since() {   # recovered_since EPOCH_MS LOG...: calls brought back after then, and when the first was
  python3 - "$@" <<'PY'
import sys, datetime
since = int(sys.argv[1]); times = []
for log in sys.argv[2:]:
    try:
        for line in open(log, errors="replace"):
            if "brought back on this node" in line:
                t = datetime.datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S.%f").astimezone()
                ms = int(t.timestamp() * 1000)
                if ms >= since:
                    times.append(ms)
    except OSError:
        pass
first = "%d ms after" % (min(times) - since) if times else "none"
print("%d calls brought back (answered or ringing); the first %s" % (len(times), first))
PY
}
carrier_line() {   # carrier_line NAME: the SIPp carrier's own count of calls ended cleanly (BYE answered)
  local f="$logs/$1/uas_stat.csv"
  echo "carrier side: $(field "$f" "SuccessfulCall(C)") ended cleanly, $(field "$f" "FailedCall(C)") failed"
}
cpu_all() { local t=0 p; for p in "$@"; do t=$(( t + $(ticks "$p") )); done; echo "$t"; }
jit_all() { local t=0 p; for p in "$@"; do t=$(( t + $(jit_ticks "$p") )); done; echo "$t"; }
cpu_line() {   # cpu_line TICKS IDLE_TICKS JIT_TICKS: the first KILL_AT_S s of a run, less idle, as a
  # share and per call placed; and what of it the JIT compiler threads took (still compiling)
  awk -v c="$1" -v i="$2" -v j="$3" -v hz="$hz" -v s="$KILL_AT_S" -v r="$RATE" -v is="$IDLE_S" 'BEGIN{
    busy = c - i * s / is
    printf "first %d s: %.1f %% of a core (idle %.1f %%), %.3f ms per call placed beyond idle",
      s, c/hz*100/s, i/hz*100/is, busy/hz*1000/(r*s)
    printf "; of it JIT compiler threads %.3f ms, the rest %.3f ms per call", j/hz*1000/(r*s), (busy-j)/hz*1000/(r*s)}'
}
warm_and_idle() {   # warm_and_idle NAME PIDS...: the warm-up calls, then sets idle (ticks over IDLE_S)
  local name=$1; shift
  run_calls "$name-warmup" "$WARMUP_RATE" $(( WARMUP_RATE * WARMUP_S )) 0
  finish_calls "$name-warmup"
  say "$name: warm-up $ok completed, $failed failed"
  sleep 2
  local i0; i0=$(cpu_all "$@"); sleep "$IDLE_S"; idle=$(( $(cpu_all "$@") - i0 ))
}

run_calls() {   # run_calls NAME [RATE CALLS HOLD_MS]: the caller and the carrier, in the background
  local dir="$logs/$1" rate=${2:-$RATE} calls=${3:-$(( RATE * DURATION_S ))} hold=${4:-$HOLD_MS}
  mkdir -p "$dir"
  (cd "$dir" && exec sipp -sf "$root/bench/cluster/uas-ring.xml" -i 127.0.0.1 -p "$CARRIER_PORT" -nostdin \
     -buff_size 4194304 -trace_err -trace_stat -fd 5 -stf uas_stat.csv > uas.out 2>&1) &
  uas=$!
  sleep 1
  (cd "$dir" && exec sipp -sf "$root/bench/sipp/uac-basic.xml" -t un -i 127.0.0.1 -s 1000 127.0.0.1:5060 \
     -r "$rate" -m "$calls" -d "$hold" -nostdin -buff_size 4194304 -recv_timeout $(( RECV_TIMEOUT_S * 1000 )) \
     -max_socket 4096 \
     -trace_err -trace_stat -fd 5 -stf stat.csv > uac.out 2>&1) &
  uac=$!
  t_start=$(now_ms)
}
finish_calls() {   # finish_calls NAME: waits for the caller; sets ok and failed (not in a subshell:
  local dir="$logs/$1"   # only this shell can wait for its children)
  wait "$uac" 2>/dev/null || true
  stop "$uas"
  ok=$(field "$dir/stat.csv" "SuccessfulCall(C)"); failed=$(field "$dir/stat.csv" "FailedCall(C)")
}

say "bench/cluster $stamp: $RATE calls/s for $DURATION_S s, held $HOLD_MS ms, carrier rings 2-3 s;" \
  "caller waits $RECV_TIMEOUT_S s for an answer; $(nproc) cores"
say "java: $(java -version 2>&1 | head -1); JAVA_OPTS=$JAVA_OPTS"
[[ -n "$EXTRA_CONF" ]] && say "EXTRA_CONF $EXTRA_CONF: $(tr '\n' ' ' < "$EXTRA_CONF")"
trap 'for p in "${pid[@]}"; do stop "$p"; done' EXIT

for run in "${runs[@]}"; do
  if [[ $run == single ]]; then
    start_node single
    await 60 ready 8088 || { say "single: did not start (see $logs/single.log)"; exit 1; }
    warm_and_idle single "${pid[single]}"
    c0=$(ticks "${pid[single]}"); j0=$(jit_ticks "${pid[single]}"); thread_ticks "${pid[single]}" > "$logs/single.t0"
    run_calls single
    sleep "$KILL_AT_S"; c_mid=$(ticks "${pid[single]}"); j_mid=$(jit_ticks "${pid[single]}")
    thread_ticks "${pid[single]}" > "$logs/single.t1"
    finish_calls single; c1=$(ticks "${pid[single]}")
    stop "${pid[single]}"; unset 'pid[single]'
    say "single node: $ok completed, $failed failed; CPU $(awk -v c=$((c1 - c0)) -v hz="$hz" -v n="$ok" \
      'BEGIN{printf "%.3f", n ? c/hz*1000/n : 0}') ms per completed call; $(cpu_line $((c_mid - c0)) "$idle" $((j_mid - j0)))"
    say "$(thread_report "$logs/single.t0" "$logs/single.t1" $(( RATE * KILL_AT_S )))"
    continue
  fi
  for n in 1 2 3; do start_node "node-$n"; done
  await 90 up_is 3 || { say "$run: the cluster did not form (see $logs/node-*.log)"; exit 1; }
  for n in 1 2 3; do   # each node's shard region and SIP listeners up, not only node 1's view
    await 60 ready $((8087 + n)) || { say "$run: node $n not ready (see $logs/node-$n.log)"; exit 1; }
  done
  warm_and_idle "$run" "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}"
  c0=$(cpu_all "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}")
  j0=$(jit_all "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}")
  thread_ticks "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}" > "$logs/$run.t0"
  run_calls "$run"
  sleep "$KILL_AT_S"
  if [[ $run == kill ]]; then
    for n in 1 2 3; do read -r ans[$n] ring[$n] <<< "$(call_states $((8087 + n)))"; done
    c_mid=$(cpu_all "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}")
    j_mid=$(jit_all "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}")
    thread_ticks "${pid[node-1]}" "${pid[node-2]}" "${pid[node-3]}" > "$logs/kill.t1"
    t_kill=$(now_ms); kill -9 "${pid[node-2]}"
    if await 60 gone_from 8088 25522; then
      gone=$(( $(now_ms) - t_kill ))
    else
      gone="over 60000"
    fi
    finish_calls kill
    c1=$(cpu_all "${pid[node-1]}" "${pid[node-3]}")
    say "kill: at the kill, answered/ringing per node: node 1 ${ans[1]}/${ring[1]}, node 2 (killed)" \
      "${ans[2]}/${ring[2]}, node 3 ${ans[3]}/${ring[3]}"
    say "kill: node 2 gone from node 1's members $gone ms after kill -9"
    say "kill: $(recovered_since "$t_kill" "$logs/node-1.log" "$logs/node-3.log") kill -9"
    say "kill: $ok completed, $failed failed (of $(( RATE * DURATION_S )) placed); $(carrier_line kill)"
    say "kill: three nodes before the kill: $(cpu_line $((c_mid - c0)) "$idle" $((j_mid - j0)))"
    say "$(thread_report "$logs/kill.t0" "$logs/kill.t1" $(( RATE * KILL_AT_S )))"
  else
    t_roll=$(now_ms)
    for n in 1 2 3; do
      kill -TERM "${pid[node-$n]}"; wait "${pid[node-$n]}" 2>/dev/null || true
      await 60 gone_from $((n == 1 ? 8089 : 8088)) $((25520 + n)) || say "rolling: node $n still listed 60 s after it stopped"
      start_node "node-$n"
      await 90 ready $((8087 + n)) || say "rolling: node $n did not come back"
      sleep 5
    done
    finish_calls rolling
    say "rolling restart of nodes 1, 2, 3 from ${KILL_AT_S} s: $ok completed, $failed failed (of $(( RATE * DURATION_S )) placed); $(carrier_line rolling)"
    say "rolling: $(recovered_since "$t_roll" "$logs"/node-*.log) the first SIGTERM"
  fi
  for p in "${pid[@]}"; do stop "$p"; done
  pid=()
done
say "report: $report; logs: $logs"
