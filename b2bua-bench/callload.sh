#!/usr/bin/env bash
# Call load over UDP on loopback against a Tandem server process: the most calls per second
# with no failed call, the server's CPU per call, INVITE-in to INVITE-out latency, and the heap
# per established call. The driver (io.tandem.bench.CallLoad) is both the caller and the
# carrier Tandem routes to.
#
#   b2bua-bench/callload.sh [key=value...]        # keys: see CallLoad; e.g. held=20000 step-s=10
#   b2bua-bench/callload.sh rates=50,100 step-s=3 warmup-s=2 latency-s=3 held=500   # a short run
#   SKIP_BUILD=1 b2bua-bench/callload.sh          # reuse the jars already built
#   MVN_FLAGS=-o b2bua-bench/callload.sh          # Maven offline
#
# The server runs b2bua-bench/callload.conf (RFC timers; the driver waits settle-s, 40 s by
# default, after each phase so that its transactions have ended before the heap is read).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
export CALLLOAD_PORT=${CALLLOAD_PORT:-5090}
export CALLLOAD_CARRIER_PORT=${CALLLOAD_CARRIER_PORT:-5091}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086  # MVN_FLAGS is a list of flags
  (cd "$root" && mvn -B -q ${MVN_FLAGS:-} -Pbench -pl b2bua-app,b2bua-bench -am package -DskipTests)
fi

cd "$root"
log="$bench_dir/target/callload-server.log"
cdr="$bench_dir/target/callload-cdr"   # this run's CDRs only: the driver counts them at the end
rm -rf "$cdr"
# shellcheck disable=SC2086  # SERVER_JAVA_OPTS is a list of options
TANDEM_CDR_DIR="$cdr" java ${SERVER_JAVA_OPTS:--Xms4g -Xmx4g} -jar b2bua-app/target/tandem.jar \
  --config "$bench_dir/callload.conf" > "$log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  grep -q "listening on UDP" "$log" && break
  sleep 0.2
done
grep "listening on" "$log"
java ${DRIVER_JAVA_OPTS:--Xmx1g} -cp "$bench_dir/target/benchmarks.jar" io.tandem.bench.CallLoad \
  "$CALLLOAD_PORT" "$CALLLOAD_CARRIER_PORT" "$server_pid" server-cdr="$cdr" "$@"
