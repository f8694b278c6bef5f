import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { ConnectRest } from './connect-rest';
import { makeKafka } from './kafka';

/** What a connect integration file with a Postgres database works with. */
export interface PostgresConnectEnv {
  readonly broker: BrokerProcess;
  readonly pg: EphemeralPostgres;
  /** A client of the database, connected for the whole file. */
  readonly db: Client;
  readonly kafka: Kafka;
  /** `connection.url` of the database for jdbc connectors. */
  readonly jdbcUrl: string;
  /** The worker: started in beforeAll unless `connectLater`, else by `startConnect`. */
  readonly connect: ConnectProcess;
  readonly rest: ConnectRest;
  /** Starts the worker (once); stopped after the file's tests. MILLRACE_IT_CONNECT_LOG=<file> keeps its output (every restart appended). */
  startConnect(): Promise<ConnectRest>;
}

/**
 * Registers the file's beforeAll/afterAll: a broker (200 ms initial rebalance delay) and
 * an ephemeral Postgres started together, a pg client and a kafkajs client, and a
 * connect worker (at once, or when the test calls `startConnect`). Everything is
 * stopped after the file's tests: client, worker, then broker and database.
 */
export function usePostgresConnect(opts: { connectLater?: boolean } = {}): PostgresConnectEnv {
  const state: { broker?: BrokerProcess; pg?: EphemeralPostgres; db?: Client; kafka?: Kafka; connect?: ConnectProcess; rest?: ConnectRest } = {};
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started`);
    return value;
  };
  const env: PostgresConnectEnv = {
    get broker() {
      return need(state.broker, 'broker');
    },
    get pg() {
      return need(state.pg, 'postgres');
    },
    get db() {
      return need(state.db, 'postgres client');
    },
    get kafka() {
      return need(state.kafka, 'kafka client');
    },
    get jdbcUrl() {
      const pg = need(state.pg, 'postgres');
      return `jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}?user=${pg.user}`;
    },
    get connect() {
      return need(state.connect, 'connect worker');
    },
    get rest() {
      return need(state.rest, 'connect worker');
    },
    async startConnect() {
      if (!state.rest) {
        state.connect = await startConnect({ bootstrap: need(state.broker, 'broker').bootstrap, logFile: process.env.MILLRACE_IT_CONNECT_LOG });
        state.rest = new ConnectRest(state.connect.url);
      }
      return state.rest;
    },
  };
  beforeAll(async () => {
    [state.broker, state.pg] = await Promise.all([startBroker({ env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }), startPostgres()]);
    state.kafka = makeKafka(state.broker.bootstrap);
    state.db = new Client({ connectionString: state.pg.connectionString });
    await state.db.connect();
    if (!opts.connectLater) await env.startConnect();
  }, 120_000);
  afterAll(async () => {
    await state.db?.end();
    await state.connect?.stop();
    await Promise.all([state.broker?.stop(), state.pg?.stop()]);
  });
  return env;
}

/** Rows of a table and its distinct values of `distinctOf` (an SQL expression); zeros while the table does not exist. */
export async function tableCounts(db: Client, table: string, distinctOf: string): Promise<{ rows: number; distinct: number }> {
  const exists = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [table]);
  if (exists.rowCount === 0) return { rows: 0, distinct: 0 };
  const r = await db.query<{ rows: string; distinct: string }>(`SELECT count(*) AS rows, count(DISTINCT ${distinctOf}) AS distinct FROM "${table}"`);
  return { rows: Number(r.rows[0].rows), distinct: Number(r.rows[0].distinct) };
}
