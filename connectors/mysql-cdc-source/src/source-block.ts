import { platformSchema } from '@millrace/cdc-snapshot';
import type { ConnectSchema } from '@millrace/connect-sdk';

/**
 * The `source` block of the change events: Debezium's MySQL fields, declared once in
 * `schemas/io.debezium.connector.mysql.Source.avsc` at the repository root.
 */
export const SOURCE_SCHEMA_FILE = 'io.debezium.connector.mysql.Source.avsc';

export interface SourceBlock {
  version: string;
  connector: 'mysql' | 'mariadb';
  name: string;
  ts_ms: number;
  snapshot: 'true' | 'last' | 'false' | 'incremental';
  db: string;
  sequence: null;
  table: string;
  server_id: number;
  gtid: string | null;
  file: string;
  pos: number;
  row: number;
  thread: null;
  query: null;
}

export function sourceBlockSchema(): ConnectSchema {
  return platformSchema(SOURCE_SCHEMA_FILE);
}
