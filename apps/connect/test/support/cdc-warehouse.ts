import { createHash } from 'node:crypto';
import type { EphemeralPostgres } from '@millrace/testing';
import type { Client } from 'pg';
import { waitFor } from './connect-rest';

/**
 * The warehouse side of the CDC integration tests, for any CDC source: the jdbc-sink
 * config writing a CDC topic set into the ephemeral Postgres `warehouse` database, and
 * table digests (count + sha256 over one text line per row, in key order) compared
 * between a source and the warehouse.
 */

/**
 * A jdbc-sink into `warehouse` on `pg`: Debezium envelopes unwrapped (deletes kept),
 * upserts by record key, tables named after the captured ones (`<topicPrefix>.<sourceSchema>.<table>` -> `<table>`).
 */
export function warehouseSinkConfig(pg: EphemeralPostgres, topics: string, topicPrefix: string, extra: Record<string, string> = {}, sourceSchema = 'public'): Record<string, string> {
  return {
    'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
    'connection.url': `jdbc:postgresql://${pg.host}:${pg.port}/warehouse?user=${pg.user}`,
    topics,
    'auto.create': 'true',
    'insert.mode': 'upsert',
    'pk.mode': 'record_key',
    'delete.enabled': 'true',
    transforms: 'unwrap,route',
    'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    'transforms.unwrap.delete.handling.mode': 'none',
    'transforms.unwrap.drop.tombstones': 'true',
    'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
    'transforms.route.regex': `${topicPrefix.replace(/\./g, '\\.')}\\.${sourceSchema.replace(/\./g, '\\.')}\\.(.*)`,
    'transforms.route.replacement': '$1',
    ...extra,
  };
}

export interface Digest {
  readonly n: number;
  readonly sum: string;
}

export function digestOf(lines: readonly string[]): Digest {
  return { n: lines.length, sum: createHash('sha256').update(lines.join('\n')).digest('hex') };
}

/**
 * Waits until `copy()` (null while the warehouse table is missing) equals `source`; on a
 * timeout prints both digests and `context()` (e.g. the worker's log tail), then throws.
 */
export async function waitForEqualDigest(what: string, source: Digest, copy: () => Promise<Digest | null>, timeoutMs: number, context: () => string = () => ''): Promise<Digest> {
  let last: Digest | null = null;
  try {
    await waitFor(what, async () => {
      last = await copy().catch(() => null);
      return last !== null && last.n === source.n && last.sum === source.sum;
    }, timeoutMs);
  } catch (err) {
    process.stdout.write(`source ${JSON.stringify(source)} warehouse ${JSON.stringify(last)}\n${context()}\n`);
    throw err;
  }
  return source;
}

/** The digest of `columns` of a warehouse table (null when it does not exist yet); values as Postgres text, NULL as 'N'. */
export async function warehouseColumnsDigest(warehouse: Client, table: string, columns: readonly string[], key = 'id'): Promise<Digest | null> {
  const exists = await warehouse.query(`SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [table]);
  if (exists.rowCount === 0) return null;
  const { rows } = await warehouse.query<{ line: string }>(`SELECT concat_ws('|', ${columns.map((c) => `coalesce(${c}::text, 'N')`).join(', ')}) AS line FROM ${table} ORDER BY ${key}`);
  return digestOf(rows.map((r) => r.line));
}
