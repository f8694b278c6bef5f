#!/usr/bin/env bash
# Makes sure the Debian packages the integration tests use are present. Installs the
# missing ones when running as root with apt; otherwise fails naming them.
set -euo pipefail
need=()
# libs/testing runs these exact paths (not PATH lookups: pyenv/local installs shadow them).
[ -x /usr/bin/kcat ] || need+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || need+=(python3-confluent-kafka)
ls /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
{ [ -x /usr/sbin/mariadbd ] && [ -x /usr/bin/mariadb-install-db ]; } || need+=(mariadb-server)
[ -x /usr/bin/redis-server ] || need+=(redis-server)
[ -x /usr/bin/etcd ] || need+=(etcd-server)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/promtool ] || need+=(prometheus)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages the tests need: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
else
  echo "The tests need these Debian packages, which are missing: ${need[*]}" >&2
  echo "Install them with: sudo apt-get install ${need[*]}" >&2
  exit 1
fi
