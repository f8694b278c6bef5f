import type { ChangePosition } from '@millrace/cdc-snapshot';
import type { ConnectorLogger, SourceRecord } from '@millrace/connect-sdk';
import type { Connection } from 'mysql2/promise';
import { ddlSince, ddlTables, isTruncate } from './binlog-ddl';
import type { DdlItem } from './binlog-stream';
import { truncateRecord } from './change-events';
import type { MySqlCdcConfig } from './mysql-cdc-config';
import type { BinlogPoint } from './schema-history';
import type { ShapeTracker } from './shape-tracker';
import type { SourceBlock } from './source-block';
import { isCaptured, listCapturedTables, loadTableModel, type TableModel } from './table-catalog';

/**
 * Table-level DDL for the MySQL/MariaDB task: what a DDL statement read from the binlog
 * does to the captured tables, and which tables a resume from a stored position captures.
 *
 * Contracts:
 * - `ddlRecords`: TRUNCATE emits a `t` event per captured table it names (unless
 *   skipped.operations has t); any other DDL reloads the captured tables of its database
 *   from the live schema (CREATE TABLE of a matching table: captured from then on; RENAME:
 *   the new name captured) and records their shapes in the schema history at the DDL's
 *   position. A table no longer in the live schema leaves the captured tables only by a
 *   DDL that names it (DROP, RENAME), so one dropped or renamed after a stored position
 *   stays captured until the stream reaches that DDL.
 * - `resumeModels`: on a resume from `point`, the captured tables the binlog since drops
 *   or renames away, with their shapes at `point` from the schema history (added to
 *   `models`), then the resume check of every table (ShapeTracker.checkResume).
 */
export interface DdlContext {
  readonly db: Connection;
  readonly config: MySqlCdcConfig;
  readonly models: Map<string, TableModel>;
  readonly shapes: ShapeTracker;
  readonly logger: Pick<ConnectorLogger, 'info'> | undefined;
  /** A table truncated in the stream (the incremental snapshot's open window empties). */
  readonly onTruncate: (model: TableModel) => void;
  /** The source block of a `t` event of `model` by the TRUNCATE `item`. */
  readonly truncateSource: (model: TableModel, item: DdlItem) => SourceBlock;
}

export async function ddlRecords(ctx: DdlContext, item: DdlItem, position: ChangePosition): Promise<SourceRecord[]> {
  const { db, config, models } = ctx;
  const { database, query } = item;
  const out: SourceRecord[] = [];
  const named = ddlTables(query, database);
  if (isTruncate(query)) {
    if (config.skippedOperations.has('t')) return out;
    for (const t of named ?? []) {
      const model = models.get(`${t.database}.${t.name}`);
      if (!model) continue;
      ctx.onTruncate(model);
      out.push(truncateRecord(model, ctx.truncateSource(model, item), position));
    }
    return out;
  }
  ctx.logger?.info(`mysql-cdc: DDL in ${database}: ${query.slice(0, 200)}; reloading its tables`);
  const reloaded: TableModel[] = [];
  for (const t of (await listCapturedTables(db, config)).filter((t) => t.database === database)) reloaded.push(await loadTableModel(db, t, config));
  // swapped in one step, after every await
  const live = new Set(reloaded.map((m) => m.qualified));
  for (const key of [...models.keys()]) {
    if (key.startsWith(`${database}.`) && !live.has(key) && named?.some((t) => `${t.database}.${t.name}` === key) === true) models.delete(key);
  }
  for (const model of reloaded) models.set(model.qualified, model);
  ctx.shapes.onDdl(reloaded, database, query, { file: item.file, pos: item.endPos }, item.gtid, out);
  return out;
}

/** `loadHistory` loads a table's stored schema history; history records to emit go to `out`. */
export async function resumeModels(ctx: Omit<DdlContext, 'onTruncate' | 'truncateSource'>, point: BinlogPoint, loadHistory: (qualified: string) => void, out: SourceRecord[]): Promise<void> {
  const { config, models, shapes } = ctx;
  const ddl = await ddlSince(ctx.db, point);
  for (const model of shapes.retiredModels(ddl, models, point, (t) => isCaptured(config, t), loadHistory)) {
    models.set(model.qualified, model);
    ctx.logger?.info(`mysql-cdc: ${model.qualified} was dropped or renamed since the stored position: its rows up to that DDL decode with its shape in the schema history`);
  }
  shapes.checkResume(ddl, [...models.values()], point, null, out);
}
