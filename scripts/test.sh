#!/usr/bin/env bash
# The test command of README.md. On a fresh machine it first installs what is missing (a JDK, Maven, and the
# PostgreSQL and MariaDB server packages the integration tests start privately), then builds and runs every test.
# Without arguments it then runs the demo exactly as README shows it, so the demo command stays true too.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
mvn -B -ntp verify "$@"
if [ $# -eq 0 ]; then
  bash scripts/demo.sh
fi
