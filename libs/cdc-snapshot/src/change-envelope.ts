import * as fs from 'node:fs';
import * as path from 'node:path';
import { avroToConnectSchema, type AvroSchema, type ConnectSchema, type SourceRecord, type Struct } from '@millrace/connect-sdk';

/**
 * Debezium change events, shared by the CDC source connectors: the schemas of a captured
 * table's topic and the records of one change.
 *
 * Schemas of topic `<topic>` (Debezium's names):
 *   key       struct `<topic>.Key`      {key columns, required}; null when the table has no key
 *   value     struct `<topic>.Value`    {all columns}, optional
 *   envelope  struct `<topic>.Envelope` {before: Value?, after: Value?, source: <source>, op: string, ts_ms: int64?}
 * Records: value `{before, after, source, op, ts_ms}` with op r (snapshot read), c, u, d, t;
 * key = the key columns of `after ?? before`; a tombstone is the same key with a null value.
 * `platformSchema(file)` reads a platform record shape declared once under `schemas/` at
 * the repository root (found by walking up, so the compiled tree under dist/ finds it).
 */
export type ChangeOp = 'r' | 'c' | 'u' | 'd' | 't';

export interface ChangeTable {
  readonly topic: string;
  readonly keyColumns: readonly string[];
  readonly keySchema: ConnectSchema | null;
  readonly envelopeSchema: ConnectSchema;
}

export interface ChangeTableSchemas {
  readonly keySchema: ConnectSchema | null;
  readonly valueSchema: ConnectSchema;
  readonly envelopeSchema: ConnectSchema;
}

export interface ChangePosition {
  readonly partition: Readonly<Record<string, unknown>>;
  readonly offset: Readonly<Record<string, unknown>>;
}

const struct = (name: string, fields: readonly { name: string; schema: ConnectSchema }[], optional = false): ConnectSchema => ({
  type: 'struct', optional, name, fields: fields.map((f, index) => ({ name: f.name, index, schema: f.schema })),
});

/** The key, value and envelope schemas of a table's topic (see the file comment). */
export function changeTableSchemas(topic: string, columns: readonly { name: string; schema: ConnectSchema }[], keyColumns: readonly string[], sourceSchema: ConnectSchema): ChangeTableSchemas {
  const keyFields = keyColumns.map((k) => {
    const column = columns.find((c) => c.name === k);
    if (!column) throw new Error(`key column ${k} is not a column of ${topic}`);
    return { name: k, schema: { ...column.schema, optional: false } };
  });
  const keySchema = keyColumns.length === 0 ? null : struct(`${topic}.Key`, keyFields);
  const valueSchema = struct(`${topic}.Value`, columns, true);
  const envelopeSchema: ConnectSchema = {
    ...struct(`${topic}.Envelope`, [
      { name: 'before', schema: valueSchema },
      { name: 'after', schema: valueSchema },
      { name: 'source', schema: sourceSchema },
      { name: 'op', schema: { type: 'string', optional: false } },
      { name: 'ts_ms', schema: { type: 'int64', optional: true } },
    ]),
    version: 1,
  };
  return { keySchema, valueSchema, envelopeSchema };
}

export function changeKey(table: ChangeTable, row: Struct | null): Struct | null {
  if (table.keySchema === null || row === null) return null;
  const key: Struct = {};
  for (const k of table.keyColumns) key[k] = row[k];
  return key;
}

/** The `source` block of a change: connector-specific fields (Debezium's), `ts_ms` = when the change happened. */
export interface ChangeSource {
  readonly ts_ms: number;
}

export function changeRecord(table: ChangeTable, op: ChangeOp, before: Struct | null, after: Struct | null, source: ChangeSource, position: ChangePosition, now: number = Date.now()): SourceRecord {
  return {
    topic: table.topic,
    kafkaPartition: null,
    keySchema: table.keySchema,
    key: changeKey(table, after ?? before),
    valueSchema: table.envelopeSchema,
    value: { before, after, source, op, ts_ms: now },
    timestamp: source.ts_ms,
    headers: [],
    sourcePartition: position.partition,
    sourceOffset: position.offset,
  };
}

export function tombstoneRecord(table: ChangeTable, before: Struct, timestamp: number, position: ChangePosition): SourceRecord {
  return {
    topic: table.topic,
    kafkaPartition: null,
    keySchema: table.keySchema,
    key: changeKey(table, before),
    valueSchema: null,
    value: null,
    timestamp,
    headers: [],
    sourcePartition: position.partition,
    sourceOffset: position.offset,
  };
}

/** The path of `schemas/<file>` in the nearest ancestor directory of `from` that has it. */
export function platformSchemaPath(file: string, from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'schemas', file);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`schemas/${file} not found above ${from}`);
  }
}

const platformSchemas = new Map<string, ConnectSchema>();

/** The Connect schema of the Avro record declared in `schemas/<file>` (read once). */
export function platformSchema(file: string): ConnectSchema {
  let schema = platformSchemas.get(file);
  if (!schema) {
    schema = avroToConnectSchema(JSON.parse(fs.readFileSync(platformSchemaPath(file), 'utf8')) as AvroSchema);
    platformSchemas.set(file, schema);
  }
  return schema;
}
