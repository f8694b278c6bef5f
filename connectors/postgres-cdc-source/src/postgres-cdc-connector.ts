import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { Client } from 'pg';
import { clientOptions, parsePostgresCdcConfig } from './postgres-cdc-config';
import { checkServer, checkTablePrivileges, ensurePublication, withSignalTable } from './preflight';
import { listCapturedTables } from './table-catalog';

/**
 * The Postgres CDC connector: one task (one replication slot is one ordered stream).
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

  async taskConfigs(_maxTasks: number): Promise<Record<string, string>[]> {
    return [{ ...this.raw }];
  }

  async stop(): Promise<void> {}
}
