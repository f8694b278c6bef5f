import { chunkQueueRedisUrl } from '@millrace/cdc-snapshot';
import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { Client } from 'pg';
import { clientOptions, parsePostgresCdcConfig } from './postgres-cdc-config';
import { checkServer, checkTablePrivileges, ensurePublication, withSignalTable } from './preflight';
import { listCapturedTables } from './table-catalog';

/**
 * The Postgres CDC connector: one task (one replication slot is one ordered stream),
 * plus, when the snapshot's chunks run on Redis (snapshot.queue.redis.url or REDIS_URL)
 * and tasks.max > 1, tasks.max - 1 helper tasks that the cluster spreads over its
 * workers to read snapshot chunks (snapshot-helper-task.ts).
 * `start` runs the preflight checks once on its own connection, so a database that
 * cannot be captured (wal_level, REPLICATION, SELECT, publication) fails the connector
 * itself with the message saying what to run; the task repeats them when it opens.
 */
export class PostgresCdcConnector implements Connector {
  private raw: Record<string, string> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, _context: ConnectorContext): Promise<void> {
    this.raw = { ...config };
    const parsed = parsePostgresCdcConfig(this.raw);
    const db = new Client(clientOptions(parsed, 'millrace-cdc-connector'));
    db.on('error', () => undefined);
    try {
      await db.connect();
      await checkServer(db, parsed);
      const tables = await listCapturedTables(db, parsed.tableInclude, parsed.tableExclude);
      await checkTablePrivileges(db, parsed, tables);
      await ensurePublication(db, parsed, await withSignalTable(db, parsed, tables));
    } finally {
      await db.end().catch(() => undefined);
    }
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    const shared = chunkQueueRedisUrl(parsePostgresCdcConfig(this.raw).snapshotQueueRedisUrl) !== null;
    return Array.from({ length: shared ? Math.max(1, maxTasks) : 1 }, () => ({ ...this.raw }));
  }

  async stop(): Promise<void> {}
}
