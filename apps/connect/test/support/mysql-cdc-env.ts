import * as fs from 'node:fs';
import { startBroker, startConnect, startMariaDb, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralMariaDb, type EphemeralPostgres } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { createConnection, type Connection } from 'mysql2/promise';
import { Client } from 'pg';
import { ConnectRest } from './connect-rest';
import { makeKafka } from './kafka';

/**
 * What a MySQL/MariaDB CDC integration file with a warehouse works with: the broker (its
 * schema registry included), an ephemeral MariaDB (ROW binlog, FULL row image and
 * metadata, database `shop`) and an ephemeral Postgres with a `warehouse` database
 * started together, one connect worker running exactly-once sources (a 6 s session
 * timeout, the broker's minimum, so a worker killed -9 is replaced sooner), a client of
 * `shop` (`db`, UTC) and of `warehouse` (UTC), and a kafkajs client. Everything is stopped
 * after the file's tests; MILLRACE_CDC_DEBUG_LOG=<file> keeps the worker's output.
 */
export interface MySqlCdcEnv {
  readonly broker: BrokerProcess;
  readonly maria: EphemeralMariaDb;
  readonly pg: EphemeralPostgres;
  readonly connect: ConnectProcess;
  readonly rest: ConnectRest;
  readonly db: Connection;
  readonly warehouse: Client;
  readonly kafka: Kafka;
  readonly registryUrl: string;
}

export function useMySqlCdc(): MySqlCdcEnv {
  const state: Partial<{ -readonly [K in keyof MySqlCdcEnv]: MySqlCdcEnv[K] }> = {};
  const need = <K extends keyof MySqlCdcEnv>(k: K): MySqlCdcEnv[K] => {
    const v = state[k];
    if (v === undefined) throw new Error(`${k} is not started`);
    return v as MySqlCdcEnv[K];
  };
  beforeAll(async () => {
    const [broker, maria, pg] = await Promise.all([
      startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3' } }),
      startMariaDb({ database: 'shop', extraArgs: ['--binlog-row-metadata=FULL', '--binlog-row-image=FULL'] }),
      // the jdbc-sink's Postgres upsert path makes one temporary staging table per run of
      // upserts between deletes, all in one transaction per batch: a CDC batch alternating
      // deletes and upserts needs more than the default lock table
      startPostgres({ settings: { max_locks_per_transaction: 1024 } }),
    ]);
    Object.assign(state, { broker, maria, pg, registryUrl: `http://${broker.host}:${broker.httpPort}` });
    state.connect = await startConnect({
      bootstrap: broker.bootstrap, registryUrl: state.registryUrl,
      // (restarts after kill -9 on a machine shared by several suites can take over 30 s)
      startTimeoutMs: 90_000,
      env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '6000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '1000' },
    });
    state.rest = new ConnectRest(state.connect.url);
    state.kafka = makeKafka(broker.bootstrap);
    state.db = await createConnection({ host: maria.host, port: maria.port, user: maria.user, database: 'shop', timezone: 'Z' });
    await state.db.query(`SET time_zone = '+00:00'`);
    const admin = new Client({ connectionString: pg.connectionString });
    await admin.connect();
    await admin.query('CREATE DATABASE warehouse');
    await admin.end();
    state.warehouse = new Client({ host: pg.host, port: pg.port, user: pg.user, database: 'warehouse' });
    await state.warehouse.connect();
    await state.warehouse.query(`SET TimeZone = 'UTC'`);
  }, 120_000);
  afterAll(async () => {
    if (process.env.MILLRACE_CDC_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_CDC_DEBUG_LOG, state.connect?.logs() ?? '');
    await state.db?.end();
    await state.warehouse?.end();
    await state.connect?.stop();
    await Promise.all([state.broker?.stop(), state.maria?.stop(), state.pg?.stop()]);
  });
  return {
    get broker() { return need('broker'); },
    get maria() { return need('maria'); },
    get pg() { return need('pg'); },
    get connect() { return need('connect'); },
    get rest() { return need('rest'); },
    get db() { return need('db'); },
    get warehouse() { return need('warehouse'); },
    get kafka() { return need('kafka'); },
    get registryUrl() { return need('registryUrl'); },
  };
}

/** A MariaDB CDC connector's config for `maria` (Debezium's class name, database shop, exactly once required), plus `extra`. */
export function mariaDbCdcConfig(maria: EphemeralMariaDb, extra: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
    'database.hostname': maria.host,
    'database.port': String(maria.port),
    'database.user': maria.user,
    'database.include.list': 'shop',
    'exactly.once.support': 'required',
    ...extra,
  };
}
