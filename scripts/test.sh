#!/usr/bin/env bash
# The test command of README.md. On a fresh machine it first installs what is missing (a JDK, Maven, and the
# PostgreSQL and MariaDB server packages the integration tests start privately), then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/prerequisites.sh
exec mvn -B -ntp verify "$@"
