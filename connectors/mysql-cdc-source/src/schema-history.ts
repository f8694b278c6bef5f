import type { ConnectSchema, SourceRecord } from '@millrace/connect-sdk';
import { sameShape, type TableShape } from './binlog-shape';
import type { MySqlColumn } from './column-types';

/**
 * The schema history: for each captured table, its shapes with the binlog position from
 * which each holds, so a restart from any stored position (even one older than a DDL)
 * decodes every rows event with the shape it was written with.
 *
 * Storage that cannot be lost or cut short: a table's whole history is the source offset
 * of its own source partition `{server: <topic.prefix>, schema_history: "<db>.<table>">}`,
 * carried by a record of the history topic (`schema.history.internal.kafka.topic`, one
 * partition) that the task emits in the same batch as the first change events decoded
 * with the new shape. Under exactly-once the runtime commits both in one Kafka
 * transaction with the stream position, so a stored position never runs ahead of the
 * history it needs; the offsets topic is compacted, and the latest offset of a table
 * holds all its versions, so nothing expires. The topic's records are Debezium's history
 * records (JSON: source, position, databaseName, ddl, tableChanges) for people and tools.
 *
 * Contracts:
 * - `load(table, storedOffset)` takes the versions of a stored offset (ignored when not
 *   a history offset);
 * - `at(table, point)` is the last version at or before the point (null: none);
 * - `record(...)` inserts a version (one at the same position is kept, never replaced:
 *   a replayed DDL does not rewrite history) and returns the record to emit, or null
 *   when the version adds nothing (same shape as the version before it).
 */
export interface BinlogPoint {
  readonly file: string;
  readonly pos: number;
}

export interface ShapeVersion extends BinlogPoint {
  readonly gtid: string | null;
  /** The DDL statement the version follows, when known. */
  readonly ddl: string | null;
  readonly shape: TableShape;
}

export function comparePoints(a: BinlogPoint, b: BinlogPoint): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.pos - b.pos;
}

const HISTORY_VALUE: ConnectSchema = { type: 'string', optional: false };

const COLUMN_FIELDS = ['name', 'dataType', 'columnType', 'optional', 'precision', 'scale', 'fsp'] as const;

/** A column in a fixed field order (shapes compare as JSON). */
function column(c: MySqlColumn): MySqlColumn {
  return Object.fromEntries(COLUMN_FIELDS.map((f) => [f, c[f] ?? null])) as unknown as MySqlColumn;
}

export function normalizeShape(shape: TableShape): TableShape {
  return { columns: shape.columns.map(column), key: [...shape.key] };
}

export class SchemaHistory {
  private readonly tables = new Map<string, ShapeVersion[]>();

  constructor(
    private readonly server: string,
    private readonly topic: string,
  ) {}

  partition(table: string): Record<string, unknown> {
    return { server: this.server, schema_history: table };
  }

  load(table: string, stored: Readonly<Record<string, unknown>> | null): void {
    const versions = stored?.['versions'];
    if (!Array.isArray(versions)) return;
    const parsed = versions
      .filter((v): v is ShapeVersion => typeof v === 'object' && v !== null && typeof (v as ShapeVersion).file === 'string' && Array.isArray((v as ShapeVersion).shape?.columns))
      .map((v) => ({ file: v.file, pos: Number(v.pos), gtid: v.gtid ?? null, ddl: v.ddl ?? null, shape: normalizeShape(v.shape) }));
    this.tables.set(table, parsed.sort(comparePoints));
  }

  versions(table: string): readonly ShapeVersion[] {
    return this.tables.get(table) ?? [];
  }

  at(table: string, point: BinlogPoint): ShapeVersion | null {
    const versions = this.versions(table);
    for (let i = versions.length - 1; i >= 0; i--) if (comparePoints(versions[i], point) <= 0) return versions[i];
    return null;
  }

  /** Versions at or before the point, newest first. */
  before(table: string, point: BinlogPoint): ShapeVersion[] {
    return this.versions(table).filter((v) => comparePoints(v, point) <= 0).reverse();
  }

  record(database: string, table: string, version: ShapeVersion): SourceRecord | null {
    const versions = [...this.versions(table)];
    if (versions.some((v) => comparePoints(v, version) === 0)) return null;
    const previous = this.at(table, version);
    const next: ShapeVersion = { ...version, shape: normalizeShape(version.shape) };
    if (previous && sameShape(previous.shape, next.shape)) return null;
    versions.push(next);
    versions.sort(comparePoints);
    this.tables.set(table, versions);
    const now = Date.now();
    return {
      topic: this.topic,
      kafkaPartition: 0,
      keySchema: null,
      key: null,
      valueSchema: HISTORY_VALUE,
      value: JSON.stringify(historyRecord(this.server, database, table, next, now)),
      timestamp: now,
      headers: [],
      sourcePartition: this.partition(table),
      sourceOffset: { versions },
    };
  }
}

/** Debezium's HistoryRecord shape (io.debezium.relational.history.HistoryRecord), one table change. */
function historyRecord(server: string, database: string, table: string, v: ShapeVersion, now: number): Record<string, unknown> {
  const name = table.slice(database.length + 1);
  return {
    source: { server },
    position: { file: v.file, pos: v.pos, ...(v.gtid ? { gtids: v.gtid } : {}) },
    ts_ms: now,
    databaseName: database,
    ddl: v.ddl ?? '',
    tableChanges: [
      {
        type: v.ddl && /^\s*CREATE/i.test(v.ddl) ? 'CREATE' : v.ddl ? 'ALTER' : 'CREATE',
        id: `"${database}"."${name}"`,
        table: {
          primaryKeyColumnNames: v.shape.key,
          columns: v.shape.columns.map((c, i) => ({
            name: c.name, typeName: c.dataType.toUpperCase(), typeExpression: c.columnType, length: c.precision, scale: c.scale ?? c.fsp, position: i + 1, optional: c.optional,
          })),
        },
      },
    ],
  };
}
