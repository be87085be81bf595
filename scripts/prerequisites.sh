#!/usr/bin/env bash
# Sourced by scripts/test.sh and scripts/demo.sh: on a fresh machine, installs what is missing (a JDK, Maven, the
# PostgreSQL and MariaDB server packages that the tests and the demo start privately, in target/, and the headless
# Chromium and its chromedriver that ConsoleBrowserTest drives: the OS's own, so Selenium never downloads a browser).
need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
[ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  # The packages' own services are not wanted: the tests and the demo start private servers in target/.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
fi
