#!/usr/bin/env bash
# The demo command of README.md: private PostgreSQL, MariaDB and Artemis, concurrent transfers across all three with
# UserTransaction, kill -9 of the application in the middle of phase two, the recovery service, and a report.
# On a fresh machine it first installs what is missing (like scripts/test.sh), then builds quietly (tests skipped).
# Options go to the demo (dev.lockstep.demo.Demo in demo/); --help lists them, e.g. --pg-url=... for existing servers.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s%3N)
source scripts/prerequisites.sh

# One build: the recovery service's runnable jar, the demo module's classes, and their class path in a file
# (the demo starts child JVMs on it: the application, the broker).
echo "building with Maven, tests skipped (log: target/demo-build.log) ..."
mkdir -p target
if ! mvn -B -ntp -DskipTests -pl demo -am package dependency:build-classpath \
    -Dmdep.outputFile=target/demo.classpath -Dmdep.includeScope=runtime >target/demo-build.log 2>&1; then
  tail -n 40 target/demo-build.log
  echo "the build failed; the whole log is in target/demo-build.log"
  exit 2
fi

cd demo
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Djava.util.logging.config.file="$PWD/src/test/resources/logging.properties" \
  -Dslf4j.internal.verbosity=ERROR \
  -Dlockstep.it.serversDir=target/demo/servers \
  -Dlockstep.demo.t0="$t0" \
  -cp "target/classes:$(cat target/demo.classpath)" \
  dev.lockstep.demo.Demo "$@"
