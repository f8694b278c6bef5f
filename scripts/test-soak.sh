#!/usr/bin/env bash
# `npm run test:soak`: the acceptance tests that `npm test` runs scaled down (to keep the
# suite under 30 minutes on 2 cores), run at the issues' full scale. Not part of CI.
# Each line: the scale variables, then the test file. Seeds are printed by each test and
# replayed through its MILLRACE_*_SEED variable. Exit status: the first failing test's.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null

run() {
  echo "== test:soak: $*"
  env "$@"
}

# Issue 14: 300k acks=all records, 10 broker kills (coordinator / partition leader), a consumer group reading along.
run GROUP_KILL_RECORDS=300000 GROUP_KILL_KILLS=10 GROUP_KILL_BATCH=250 \
  npx jest --selectProjects integration --runTestsByPath apps/broker/test/cluster-group-kill.it.spec.ts

# Issue 13: the 300k-row ERP schema (customers, orders, order lines) under a write load, snapshot without locks, four connect kills.
run MYSQL_CDC_ERP_ROWS=300000 \
  npx jest --selectProjects integration --runTestsByPath apps/connect/test/mysql-cdc-erp.it.spec.ts
