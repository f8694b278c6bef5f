import type { SourceRecord } from '@millrace/connect-sdk';
import type { TableMapEntry } from '@vlasky/zongji';
import { createsNewTable, ddlTables, renamedTables, type DdlEvent } from './binlog-ddl';
import { deriveShape, shapeDescribes, type TableShape } from './binlog-shape';
import type { MySqlCdcConfig } from './mysql-cdc-config';
import { PreflightError } from './preflight';
import { SchemaHistory, type BinlogPoint } from './schema-history';
import { buildTableModel, type TableModel, type TableName } from './table-catalog';

/**
 * Which table model decodes a rows event, from the schema history (schema-history.ts)
 * checked against the event's binlog_row_metadata=FULL, and which history records that
 * adds.
 *
 * Contracts:
 * - `eventModel(live, tableMap, point)`: the model of the history version in force at the
 *   event's position when that version describes the event's columns; otherwise (a DDL
 *   the history does not have yet, e.g. the connector was down during it, or the live
 *   schema read at the DDL already had later changes) a shape derived from the event's
 *   metadata, its columns keeping their definitions from the versions before it or the
 *   live table (binlog-shape.ts); that shape becomes a history version at the event's
 *   position, its record pushed to `out` ahead of the event's change records.
 *   Without metadata and without history, the live model.
 * - `onDdl(...)`: after a DDL on a captured table, the live shape read then becomes a
 *   version at the DDL's position (a version already at that position, i.e. a replayed
 *   DDL, is kept).
 * - `baseline(...)`: the live shape as the version at a position where it provably holds
 *   (a snapshot's, or the current position).
 * - `checkResume(...)`: a table without a version at or before a stored position gets
 *   the live shape there only when no DDL naming it (or a DDL whose tables cannot be
 *   told) was written to the binlog since; the shape of the table it was renamed from
 *   when that DDL is a RENAME TABLE ... TO it; none (it did not exist) when it is a plain
 *   CREATE TABLE of it; otherwise the task fails saying so: it never guesses a shape.
 * - `retiredModels(...)`: captured tables that the binlog since a stored position drops
 *   or renames away (not live any more) and whose history has a shape there: models of
 *   that shape, so their rows written before the DDL still decode and go out under the
 *   name they were written to (the DDL then removes them from the captured tables).
 */
export class ShapeTracker {
  private readonly cache = new Map<string, TableModel>();

  constructor(
    private readonly config: MySqlCdcConfig,
    readonly history: SchemaHistory,
  ) {}

  static liveShape(model: TableModel): TableShape {
    return { columns: model.catalogColumns, key: model.keyColumns };
  }

  private model(live: TableModel, shape: TableShape): TableModel {
    const key = `${live.qualified}|${JSON.stringify(shape)}`;
    let model = this.cache.get(key);
    if (!model) {
      model = buildTableModel({ database: live.database, name: live.name }, shape.columns, shape.key, this.config);
      this.cache.set(key, model);
    }
    return model;
  }

  eventModel(live: TableModel, table: TableMapEntry, point: BinlogPoint, gtid: string | null, out: SourceRecord[]): TableModel {
    const columns = table.columnSchemas;
    const version = this.history.at(live.qualified, point);
    if (version && shapeDescribes(version.shape, columns)) return this.model(live, version.shape);
    if (!columns || columns.length === 0) return live;
    const references = [...this.history.before(live.qualified, point).map((v) => v.shape), ShapeTracker.liveShape(live)];
    const shape = deriveShape(columns, undefined, references);
    const record = this.history.record(live.database, live.qualified, { ...point, gtid, ddl: null, shape });
    if (record) out.push(record);
    return this.model(live, shape);
  }

  onDdl(models: readonly TableModel[], database: string, query: string, point: BinlogPoint, gtid: string | null, out: SourceRecord[]): void {
    const named = ddlTables(query, database);
    for (const live of models) {
      if (named !== null ? !named.some((t) => t.database === live.database && t.name === live.name) : live.database !== database) continue;
      const record = this.history.record(live.database, live.qualified, { ...point, gtid, ddl: query, shape: ShapeTracker.liveShape(live) });
      if (record) out.push(record);
    }
  }

  baseline(models: readonly TableModel[], point: BinlogPoint, gtid: string | null, out: SourceRecord[]): void {
    for (const live of models) {
      const record = this.history.record(live.database, live.qualified, { ...point, gtid, ddl: null, shape: ShapeTracker.liveShape(live) });
      if (record) out.push(record);
    }
  }

  retiredModels(ddl: readonly DdlEvent[] | null, live: ReadonlyMap<string, TableModel>, point: BinlogPoint, captured: (t: TableName) => boolean, loadHistory: (qualified: string) => void): TableModel[] {
    const out = new Map<string, TableModel>();
    for (const e of ddl ?? []) {
      for (const t of ddlTables(e.query, e.database) ?? []) {
        const qualified = `${t.database}.${t.name}`;
        if (live.has(qualified) || out.has(qualified) || !captured(t)) continue;
        loadHistory(qualified);
        const version = this.history.at(qualified, point);
        if (version) out.set(qualified, buildTableModel(t, version.shape.columns, version.shape.key, this.config));
      }
    }
    return [...out.values()];
  }

  /** `ddl`: the DDL since `point` (ddlSince; null: could not be read to the end). */
  checkResume(ddl: readonly DdlEvent[] | null, models: readonly TableModel[], point: BinlogPoint, gtid: string | null, out: SourceRecord[]): void {
    const missing = models.filter((m) => this.history.at(m.qualified, point) === null);
    for (const live of missing) {
      const touching = ddl === null ? null : ddl.find((e) => {
        const named = ddlTables(e.query, e.database);
        return named === null ? e.database === live.database : named.some((t) => t.database === live.database && t.name === live.name);
      });
      if (touching && createsNewTable(touching.query)) continue;
      const from = touching ? renamedTables(touching.query, touching.database)?.find((r) => r.to.database === live.database && r.to.name === live.name)?.from : undefined;
      const before = from ? this.history.at(`${from.database}.${from.name}`, point) : null;
      if (before) {
        const record = this.history.record(live.database, live.qualified, { ...point, gtid, ddl: null, shape: before.shape });
        if (record) out.push(record);
        continue;
      }
      if (touching !== undefined) {
        const why = touching === null ? `the binlog since ${point.file}:${point.pos} could not be read to the end` : `the binlog has DDL on it since (${touching.file}:${touching.pos}: ${touching.query.slice(0, 200)})`;
        throw new PreflightError(
          `the schema history of ${live.qualified} has no table shape at the stored position ${point.file}:${point.pos} and ${why}, so the shape its older rows were written with is unknown. ` +
            `Reset the connector's offsets (PUT /connectors/<name>/stop, then DELETE /connectors/<name>/offsets) to take a new snapshot, or restore the schema-history offsets.`,
        );
      }
      const record = this.history.record(live.database, live.qualified, { ...point, gtid, ddl: null, shape: ShapeTracker.liveShape(live) });
      if (record) out.push(record);
    }
  }
}
