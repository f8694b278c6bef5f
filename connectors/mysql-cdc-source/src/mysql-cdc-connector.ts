import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { createConnection } from 'mysql2/promise';
import { connectionOptions, parseMySqlCdcConfig } from './mysql-cdc-config';
import { checkPrivileges, checkServer } from './preflight';
import { listCapturedTables } from './table-catalog';

/**
 * The MySQL/MariaDB CDC connector: one task (the binlog is one ordered stream). `start`
 * runs the preflight checks once on its own connection, so a server that cannot be
 * captured (binlog settings, privileges) fails the connector itself with the message
 * saying what to change; the task repeats them when it opens.
 */
export class MySqlCdcConnector implements Connector {
  private raw: Record<string, string> = {};

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, _context: ConnectorContext): Promise<void> {
    this.raw = { ...config };
    const parsed = parseMySqlCdcConfig(this.raw);
    const db = await createConnection(connectionOptions(parsed));
    db.on('error', () => undefined);
    try {
      await checkServer(db, parsed);
      const tables = await listCapturedTables(db, parsed);
      await checkPrivileges(db, parsed, [...new Set(tables.map((t) => t.database))], false);
    } finally {
      await db.end().catch(() => undefined);
    }
  }

  async taskConfigs(_maxTasks: number): Promise<Record<string, string>[]> {
    return [{ ...this.raw }];
  }

  async stop(): Promise<void> {}
}
