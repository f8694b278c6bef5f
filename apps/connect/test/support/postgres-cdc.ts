import * as fs from 'node:fs';
import { getFreePorts, startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { ConnectRest, waitFor } from './connect-rest';
import { makeKafka } from './kafka';

/**
 * What a Postgres CDC integration file works with: the broker (its schema registry
 * included) and an ephemeral Postgres with wal_level=logical started together, one
 * connect worker running exactly-once sources, a client of the captured database (`db`)
 * and one of a `warehouse` database on the same server, and a kafkajs client.
 */
export interface PostgresCdcEnv {
  readonly broker: BrokerProcess;
  readonly pg: EphemeralPostgres;
  readonly connect: ConnectProcess;
  readonly rest: ConnectRest;
  readonly db: Client;
  readonly warehouse: Client;
  readonly kafka: Kafka;
  readonly registryUrl: string;
}

/**
 * Registers the file's beforeAll/afterAll for a PostgresCdcEnv; everything is stopped
 * after the file's tests. MILLRACE_CDC_DEBUG_LOG=<file> keeps the worker's output.
 * `options`: `brokerEnv` / `connectEnv` add environment variables; `console` points the
 * broker's web console at the worker and lets its origin call the worker (CORS).
 */
export function usePostgresCdc(options: { readonly console?: boolean; readonly connectEnv?: Record<string, string>; readonly brokerEnv?: Record<string, string> } = {}): PostgresCdcEnv {
  const state: Partial<{ -readonly [K in keyof PostgresCdcEnv]: PostgresCdcEnv[K] }> = {};
  const need = <K extends keyof PostgresCdcEnv>(k: K): PostgresCdcEnv[K] => {
    const v = state[k];
    if (v === undefined) throw new Error(`${k} is not started`);
    return v as PostgresCdcEnv[K];
  };
  beforeAll(async () => {
    // with `console`: the broker's web console points at this worker, which lets the console's origin call it (CORS)
    const [httpPort, connectPort] = options.console ? await getFreePorts(2) : [undefined, undefined];
    const consoleEnv: Record<string, string> = options.console ? { MILLRACE_CONSOLE_CONNECT_URL: `http://127.0.0.1:${connectPort}` } : {};
    const [broker, pg] = await Promise.all([startBroker({ httpPort, env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3', ...consoleEnv, ...options.brokerEnv } }), startPostgres()]);
    state.broker = broker;
    state.pg = pg;
    state.registryUrl = `http://${broker.host}:${broker.httpPort}`;
    const corsEnv: Record<string, string> = options.console ? { MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN: `http://127.0.0.1:${httpPort}`, MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_METHODS: 'GET,POST,PUT,DELETE,HEAD' } : {};
    state.connect = await startConnect({ port: connectPort, bootstrap: broker.bootstrap, registryUrl: state.registryUrl, env: { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: 'enabled', ...corsEnv, ...options.connectEnv } });
    state.rest = new ConnectRest(state.connect.url);
    state.kafka = makeKafka(broker.bootstrap);
    state.db = new Client({ connectionString: pg.connectionString });
    await state.db.connect();
    await state.db.query('CREATE DATABASE warehouse');
    state.warehouse = new Client({ host: pg.host, port: pg.port, user: pg.user, database: 'warehouse' });
    await state.warehouse.connect();
  }, 120_000);
  afterAll(async () => {
    if (process.env.MILLRACE_CDC_DEBUG_LOG) fs.writeFileSync(process.env.MILLRACE_CDC_DEBUG_LOG, state.connect?.logs() ?? '');
    await state.db?.end();
    await state.warehouse?.end();
    await state.connect?.stop();
    await Promise.all([state.broker?.stop(), state.pg?.stop()]);
  });
  return {
    get broker() { return need('broker'); },
    get pg() { return need('pg'); },
    get connect() { return need('connect'); },
    get rest() { return need('rest'); },
    get db() { return need('db'); },
    get warehouse() { return need('warehouse'); },
    get kafka() { return need('kafka'); },
    get registryUrl() { return need('registryUrl'); },
  };
}

/** A Postgres CDC connector's config for the env's database (Debezium's class name, exactly once required), plus `extra`. */
export function cdcConfig(pg: EphemeralPostgres, extra: Record<string, string>): Record<string, string> {
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'database.hostname': pg.host,
    'database.port': String(pg.port),
    'database.user': pg.user,
    'database.dbname': pg.database,
    'publication.autocreate.mode': 'filtered',
    'exactly.once.support': 'required',
    ...extra,
  };
}

/** The jdbc-sink into the env's `warehouse` database (shared with the MySQL CDC tests). */
export { warehouseSinkConfig } from './cdc-warehouse';

export async function createConnector(rest: ConnectRest, name: string, config: Record<string, string>): Promise<void> {
  const res = await rest.call('POST', '/connectors', { name, config });
  if (res.status !== 201) throw new Error(`creating ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Waits until the connector's first task runs; a FAILED connector or task fails the wait with its trace. */
export async function waitRunning(rest: ConnectRest, name: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${name} runs`, async () => {
    const s = await rest.status(name);
    if (s.connector.state === 'FAILED' || s.tasks[0]?.state === 'FAILED') throw new Error(`${name} failed: ${s.connector.trace ?? s.tasks[0]?.trace}`);
    return s.tasks[0]?.state === 'RUNNING';
  }, timeoutMs);
}

/** The slot's confirmed_flush_lsn as a byte position (0 when the slot is missing). */
export async function confirmedFlush(db: Client, slot: string): Promise<bigint> {
  const { rows } = await db.query<{ lsn: string }>(`SELECT (confirmed_flush_lsn - '0/0')::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
  return BigInt(rows[0]?.lsn ?? '0');
}

/** The server's current WAL position as a byte position. */
export async function currentWalLsn(db: Client): Promise<bigint> {
  return BigInt((await db.query<{ lsn: string }>(`SELECT (pg_current_wal_lsn() - '0/0')::text AS lsn`)).rows[0].lsn);
}
