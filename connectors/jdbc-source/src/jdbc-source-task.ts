import type { SourceRecord, SourceTask, SourceTaskContext } from '@millrace/connect-sdk';
import { connectDialect } from './dialect/create-dialect';
import type { Dialect } from './dialect/dialect';
import { parseJdbcSourceConfig, type JdbcSourceConfig, type TableRef } from './jdbc-source-config';
import { fromEpochMs } from './sql-timestamp';
import { missingTablesMessage, noTablesMessage, parseMissingTables, TASK_MISSING_TABLES_KEY } from './table-selection';
import { positionFromOffset, sourcePartition, START, TableQuerier, type Position, type QuerySource, type QuerySpec } from './table-querier';
import { errorMessage, WakeableSleep } from '@millrace/app-common';

/**
 * The JDBC source task: polls its tables (task config key `tables`, set by the connector)
 * or the custom query.
 *
 * Contracts:
 * - `open` fails, before connecting, when the connector found whitelisted tables missing
 *   (task config `missing.tables`), with a message naming them; a task with no tables
 *   (nothing selected yet) opens idle and says so through `context.reportStatus`.
 * - `open` connects (connection.attempts/backoff), resolves each table's key columns
 *   (primary key) and incrementing column (configured, or the auto-increment column),
 *   checks validate.non.null, and starts each table from `context.offset(partition)`
 *   (else from the beginning / timestamp.initial).
 * - `read` polls the table that is due first (round robin among tables with more rows),
 *   returning the first non-empty batch; `[]` once every due table came back empty.
 *   When nothing is due it sleeps until the next table is due, but returns `[]` after at
 *   most ~1 s, and at once when torn down.
 *   A failing query is retried at most connection.attempts times, connection.backoff.ms
 *   apart (the querier restarts from its position); then `read` throws.
 * - `ack` needs to do nothing: offsets are the runtime's (records carry them).
 * - `teardown` waits for an in-flight `read`, closes cursors and the task's pool
 *   (2 connections); idempotent.
 */
export class JdbcSourceTask implements SourceTask {
  private config: JdbcSourceConfig | null = null;
  private dialect: Dialect | null = null;
  private queriers: TableQuerier[] = [];
  private failures = new Map<TableQuerier, number>();
  private context: SourceTaskContext | null = null;
  private stopping = false;
  /** The poll loop's sleep until the next table is due; teardown ends it. */
  private readonly sleeper = new WakeableSleep();
  private inFlight: Promise<unknown> | null = null;

  static readonly MAX_WAIT_MS = 1000;
  static readonly POOL_SIZE = 2;

  async open(rawConfig: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const config = parseJdbcSourceConfig(rawConfig);
    const missing = parseMissingTables(rawConfig[TASK_MISSING_TABLES_KEY]);
    if (missing.length > 0) throw new Error(missingTablesMessage(config, missing));
    this.config = config;
    this.context = context;
    this.stopping = false;
    this.dialect = await connectDialect(config, JdbcSourceTask.POOL_SIZE, context.logger, () => this.stopping);
    try {
      if (config.query) {
        this.queriers = [await this.createQuerier({ kind: 'query', sql: config.query })];
      } else {
        const tables = config.tables ?? [];
        if (tables.length === 0) {
          context.logger.warn('jdbc-source task has no tables assigned');
          context.reportStatus?.(noTablesMessage(config));
        }
        this.queriers = [];
        for (const table of tables) this.queriers.push(await this.createQuerier({ kind: 'table', table }));
      }
    } catch (err) {
      await this.dialect.close().catch(() => undefined);
      this.dialect = null;
      throw err;
    }
    context.logger.info(`jdbc-source task ${context.taskId} polling ${this.queriers.map((q) => JSON.stringify(q.partition)).join(', ')} in ${config.mode} mode`);
  }

  private async createQuerier(source: QuerySource): Promise<TableQuerier> {
    const config = this.config as JdbcSourceConfig;
    const dialect = this.dialect as Dialect;
    const context = this.context as SourceTaskContext;
    const usesInc = config.mode === 'incrementing' || config.mode === 'timestamp+incrementing';
    const usesTs = config.mode === 'timestamp' || config.mode === 'timestamp+incrementing';
    let incrementingColumn: string | null = config.incrementingColumn || null;
    let keyColumns: string[] = [];
    if (source.kind === 'table') {
      keyColumns = await dialect.primaryKey(source.table);
      if (usesInc && !incrementingColumn) {
        incrementingColumn = await dialect.autoIncrementColumn(source.table);
        if (!incrementingColumn) throw new Error(`table ${describe(source.table)} has no auto-increment column; set incrementing.column.name`);
      }
      if (config.validateNonNull) await this.checkNonNull(source.table, [...(usesInc && incrementingColumn ? [incrementingColumn] : []), ...(usesTs ? config.timestampColumns : [])]);
    }
    const spec: QuerySpec = {
      source,
      mode: config.mode,
      incrementingColumn,
      timestampColumns: config.timestampColumns,
      suffix: config.querySuffix,
    };
    const stored = context.offset(sourcePartition(source));
    let start: Position = positionFromOffset(stored);
    if (stored === null && usesTs && config.timestampInitial !== null) {
      start = { ...START, timestamp: config.timestampInitial === -1 ? await dialect.currentTime() : fromEpochMs(config.timestampInitial) };
    }
    return new TableQuerier({
      dialect,
      spec,
      topic: source.kind === 'table' ? config.topicPrefix + source.table.name : config.topicPrefix,
      valueSchemaName: source.kind === 'table' ? source.table.name : undefined,
      keyColumns,
      batchMaxRows: config.batchMaxRows,
      pollIntervalMs: config.pollIntervalMs,
      timestampDelayMs: config.timestampDelayMs,
      start,
    });
  }

  private async checkNonNull(table: TableRef, columns: readonly string[]): Promise<void> {
    if (columns.length === 0) return;
    const nullability = await (this.dialect as Dialect).columnNullability(table);
    for (const column of columns) {
      const nullable = nullability.get(column) ?? [...nullability].find(([name]) => name.toLowerCase() === column.toLowerCase())?.[1];
      if (nullable === undefined) throw new Error(`column "${column}" does not exist in table ${describe(table)}`);
      if (nullable) {
        throw new Error(`column "${column}" of table ${describe(table)} is nullable; make it NOT NULL or set validate.non.null=false`);
      }
    }
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    const run = this.readInner(maxRecords);
    this.inFlight = run;
    try {
      return await run;
    } finally {
      this.inFlight = null;
    }
  }

  private async readInner(maxRecords: number): Promise<SourceRecord[]> {
    const deadline = Date.now() + JdbcSourceTask.MAX_WAIT_MS;
    while (!this.stopping && this.queriers.length > 0) {
      let due = this.queriers[0];
      for (const q of this.queriers) if (q.nextPollAt < due.nextPollAt) due = q;
      const now = Date.now();
      if (due.nextPollAt <= now) {
        const records = await this.pollOne(due, maxRecords);
        if (records.length > 0 || this.stopping) return records;
        // Nothing new: try the other due tables, else report "nothing now".
        const after = Date.now();
        if (after >= deadline || !this.queriers.some((q) => q.nextPollAt <= after)) return [];
        continue;
      }
      const wait = Math.min(due.nextPollAt, deadline) - now;
      if (wait <= 0) return [];
      await this.sleeper.sleep(wait);
    }
    if (this.queriers.length === 0 && !this.stopping) await this.sleeper.sleep(Math.max(0, deadline - Date.now()));
    return [];
  }

  private async pollOne(querier: TableQuerier, maxRecords: number): Promise<SourceRecord[]> {
    const config = this.config as JdbcSourceConfig;
    try {
      const records = await querier.poll(maxRecords);
      this.failures.delete(querier);
      return records;
    } catch (err) {
      if (this.stopping) return [];
      const count = (this.failures.get(querier) ?? 0) + 1;
      this.failures.set(querier, count);
      await querier.reset().catch(() => undefined);
      const message = errorMessage(err);
      if (count >= config.connectionAttempts) {
        throw new Error(`polling ${JSON.stringify(querier.partition)} failed ${count} times: ${message}`);
      }
      this.context?.logger.warn(`polling ${JSON.stringify(querier.partition)} failed (${count}/${config.connectionAttempts}): ${message}; retrying in ${config.connectionBackoffMs} ms`);
      querier.nextPollAt = Date.now() + config.connectionBackoffMs;
      return [];
    }
  }

  async ack(_records: readonly SourceRecord[]): Promise<void> {
    // Offsets travel with the records and are stored by the runtime.
  }

  async teardown(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.inFlight?.catch(() => undefined);
    const queriers = this.queriers;
    this.queriers = [];
    for (const q of queriers) await q.reset().catch(() => undefined);
    const dialect = this.dialect;
    this.dialect = null;
    await dialect?.close().catch(() => undefined);
  }
}

function describe(table: TableRef): string {
  return `${table.schema}.${table.name}`;
}
