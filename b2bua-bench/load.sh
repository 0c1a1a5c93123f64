#!/usr/bin/env bash
# OPTIONS load over UDP on loopback against a Tandem server process: transactions per second,
# the server's CPU per transaction, and its heap after a full GC before and after the load.
#
#   b2bua-bench/load.sh [TRANSACTIONS] [WINDOW] [SETTLE_S]   # defaults 100000 200 40 (two rounds)
#   SKIP_BUILD=1 b2bua-bench/load.sh                         # reuse the jars already built
#   MVN_FLAGS=-o b2bua-bench/load.sh                         # Maven offline
#
# The server runs b2bua-bench/load.conf (RFC timers: Timer J keeps each UDP server
# transaction 32 s after its answer, so SETTLE_S must exceed 32 for the heap figure).
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"
port=${LOAD_PORT:-5090}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086  # MVN_FLAGS is a list of flags
  (cd "$root" && mvn -B -q ${MVN_FLAGS:-} -Pbench -pl b2bua-app,b2bua-bench -am package -DskipTests)
fi

cd "$root"
java ${SERVER_JAVA_OPTS:--Xms512m -Xmx512m} -jar b2bua-app/target/tandem.jar \
  --config "$bench_dir/load.conf" > "$bench_dir/target/load-server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  grep -q "listening on UDP" "$bench_dir/target/load-server.log" && break
  sleep 0.2
done
grep "listening on" "$bench_dir/target/load-server.log"
java -cp "$bench_dir/target/benchmarks.jar" io.tandem.bench.OptionsLoad "$port" "$server_pid" "$@"
