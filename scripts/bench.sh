#!/usr/bin/env bash
# The benchmark command of README.md: Lockstep beside Narayana and Atomikos (and the ceilings, and the XA calls by
# hand) in one run on this machine, then the real-resource workload on private PostgreSQL, MariaDB and Artemis
# servers; writes docs/performance.md and its charts. On a fresh machine it first installs what is missing (like
# scripts/test.sh), then builds quietly (tests skipped). Options go to dev.lockstep.bench.Bench; --help lists them
# (--quick for a two-minute run that proves the harness, --long for publishable numbers on a quiet machine).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh

echo "building with Maven, tests skipped (log: target/bench-build.log) ..."
mkdir -p target
if ! mvn -B -ntp -DskipTests -pl benchmarks -am package >target/bench-build.log 2>&1; then
  tail -n 40 target/bench-build.log
  echo "the build failed; the whole log is in target/bench-build.log"
  exit 2
fi

# The harness JVM only orchestrates: each trial runs in a JVM of its own, started on this class path (and so does
# the Artemis broker of the real-resource workload).
exec java -Xmx256m -Djava.awt.headless=true \
  -Djava.util.logging.config.file="$PWD/integration-tests/src/test/resources/logging.properties" \
  -Dslf4j.internal.verbosity=ERROR \
  -Dlockstep.it.serversDir=benchmarks/target/servers \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/bench.classpath)" \
  dev.lockstep.bench.Bench --command="bash scripts/bench.sh${*:+ $*}" "$@"
