import * as fs from 'node:fs';
import * as path from 'node:path';
import { avroToConnectSchema, type AvroSchema, type ConnectSchema } from '@millrace/connect-sdk';

/**
 * The `source` block of the change events. Its shape is the platform's own record
 * shape, declared once in `schemas/io.debezium.connector.postgresql.Source.avsc` at the
 * repository root and read from there (the compiled tree under dist/ finds it by walking
 * up from its own directory), never re-declared in code.
 */
export const SOURCE_SCHEMA_FILE = 'io.debezium.connector.postgresql.Source.avsc';

export interface SourceBlock {
  version: string;
  connector: 'postgresql';
  name: string;
  ts_ms: number;
  snapshot: 'true' | 'last' | 'false' | 'incremental';
  db: string;
  sequence: string | null;
  schema: string;
  table: string;
  txId: number | null;
  lsn: number | null;
  xmin: number | null;
}

export const CONNECTOR_VERSION = '0.1.0';

/** The source block of a record of `model`'s table read at `at`. */
export function sourceBlockOf(
  config: { readonly topicPrefix: string; readonly dbname: string },
  model: { readonly schema: string; readonly name: string },
  at: Pick<SourceBlock, 'snapshot' | 'lsn' | 'txId' | 'ts_ms' | 'sequence'>,
): SourceBlock {
  return { version: CONNECTOR_VERSION, connector: 'postgresql', name: config.topicPrefix, db: config.dbname, schema: model.schema, table: model.name, xmin: null, ...at };
}

/** The file's path: `schemas/<file>` in the nearest ancestor directory that has it. */
export function platformSchemaPath(file: string, from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas', file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`schemas/${file} not found above ${from}`);
  }
}

let cached: ConnectSchema | null = null;

/** The Connect schema of the source block (non-optional struct io.debezium.connector.postgresql.Source). */
export function sourceBlockSchema(): ConnectSchema {
  if (!cached) {
    const avro = JSON.parse(fs.readFileSync(platformSchemaPath(SOURCE_SCHEMA_FILE), 'utf8')) as AvroSchema;
    cached = avroToConnectSchema(avro);
  }
  return cached;
}
