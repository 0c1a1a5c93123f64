#!/usr/bin/env bash
# Builds b2bua-bench/target/benchmarks.jar and runs CodecBenchmark with the GC profiler, then
# prints a summary (Tandem vs JAIN-SIP throughput, ratio, bytes allocated per operation).
#
#   b2bua-bench/run.sh                  # the whole benchmark (about 4 minutes on 2 cores)
#   b2bua-bench/run.sh -p message=invite   # extra arguments go to JMH
#   SKIP_BUILD=1 b2bua-bench/run.sh     # reuse the jar already built
#
#   MVN_FLAGS=-o b2bua-bench/run.sh     # extra Maven flags, e.g. offline
#
# The JSON result is b2bua-bench/target/jmh-result.json.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench_dir/.." && pwd)"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  # shellcheck disable=SC2086  # MVN_FLAGS is a list of flags
  (cd "$root" && mvn -B ${MVN_FLAGS:-} -Pbench -pl b2bua-bench -am package -DskipTests)
fi

cd "$bench_dir"
mkdir -p target
java -jar target/benchmarks.jar CodecBenchmark -prof gc -rf json -rff target/jmh-result.json "$@"

echo
java -cp target/benchmarks.jar io.tandem.bench.Summary target/jmh-result.json
