import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { connectDialect } from './dialect/create-dialect';
import type { Dialect } from './dialect/dialect';
import { parseJdbcSourceConfig, TASK_TABLES_KEY, type JdbcSourceConfig, type TableRef } from './jdbc-source-config';
import { describeTable, selectTables, TASK_MISSING_TABLES_KEY, type TableSelection } from './table-selection';
import { errorMessage } from '@millrace/app-common';

/**
 * The JDBC source connector: finds the tables to copy and splits them across tasks.
 *
 * Contracts:
 * - Table mode: tables are listed (catalog.pattern, schema.pattern, table.types), then
 *   selected by table.whitelist/include.list or table.blacklist/exclude.list
 *   (table-selection.ts). The list is re-read every table.poll.interval.ms; when the
 *   selection (tables or missing whitelist entries) changes the connector calls
 *   `context.requestTaskReconfiguration()`. A failed re-read is logged and retried at the
 *   next interval (the current assignment stays).
 * - `taskConfigs(maxTasks)`: query mode -> one task; table mode -> min(maxTasks, #tables)
 *   tasks, tables dealt round robin in listing order; each task config is the connector
 *   config plus `tables` (JSON array of {schema, name}). Whitelist entries naming no
 *   table -> one task config that also carries `missing.tables`: that task fails naming
 *   them (never an idle RUNNING), until they exist. No tables otherwise -> one idle task
 *   with `tables: []` that says so in its status (the SDK contract wants 1..maxTasks
 *   configs), reconfigured when tables appear.
 * - `stop` ends the monitor and closes the connector's single connection.
 */
export class JdbcSourceConnector implements Connector {
  private raw: Record<string, string> = {};
  private config: JdbcSourceConfig | null = null;
  private context: ConnectorContext | null = null;
  private dialect: Dialect | null = null;
  private tables: TableRef[] = [];
  private missing: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private stopped = false;

  async start(config: Readonly<Record<string, string>>, _parsed: ParsedConfig, context: ConnectorContext): Promise<void> {
    this.raw = { ...config };
    delete this.raw[TASK_TABLES_KEY];
    this.config = parseJdbcSourceConfig(this.raw);
    this.context = context;
    this.stopped = false;
    if (this.config.query) return;
    this.dialect = await connectDialect(this.config, 1, context.logger, () => this.stopped);
    try {
      ({ tables: this.tables, missing: this.missing } = await this.listTables());
    } catch (err) {
      await this.dialect.close().catch(() => undefined);
      this.dialect = null;
      throw err;
    }
    context.logger.info(`jdbc-source found ${this.tables.length} table(s): ${this.tables.map(describeTable).join(', ')}`);
    if (this.missing.length > 0) context.logger.warn(`jdbc-source: table.whitelist names tables that do not exist: ${this.missing.join(', ')}`);
    this.timer = setInterval(() => {
      if (!this.refreshing) this.refreshing = this.refresh().finally(() => (this.refreshing = null));
    }, this.config.tablePollIntervalMs);
    this.timer.unref();
  }

  /** Tables this connector currently copies, in assignment order. */
  get currentTables(): readonly TableRef[] {
    return this.tables;
  }

  async taskConfigs(maxTasks: number): Promise<Record<string, string>[]> {
    const config = this.config;
    if (!config) throw new Error('jdbc-source connector is not started');
    if (config.query) return [{ ...this.raw }];
    if (this.missing.length > 0) return [{ ...this.raw, [TASK_TABLES_KEY]: JSON.stringify(this.tables), [TASK_MISSING_TABLES_KEY]: JSON.stringify(this.missing) }];
    if (this.tables.length === 0) {
      this.context?.logger.warn('jdbc-source found no tables to copy; one idle task until tables appear');
      return [{ ...this.raw, [TASK_TABLES_KEY]: '[]' }];
    }
    return splitRoundRobin(this.tables, Math.max(1, maxTasks)).map((group) => ({ ...this.raw, [TASK_TABLES_KEY]: JSON.stringify(group) }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing?.catch(() => undefined);
    const dialect = this.dialect;
    this.dialect = null;
    await dialect?.close().catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    if (this.stopped || !this.dialect) return;
    try {
      const selection = await this.listTables();
      if (this.stopped) return;
      if (JSON.stringify(selection) !== JSON.stringify({ tables: this.tables, missing: this.missing })) {
        const missing = selection.missing.length > 0 ? `; missing: ${selection.missing.join(', ')}` : '';
        this.context?.logger.info(`jdbc-source tables changed: ${selection.tables.map(describeTable).join(', ') || '(none)'}${missing}`);
        ({ tables: this.tables, missing: this.missing } = selection);
        this.context?.requestTaskReconfiguration();
      }
    } catch (err) {
      this.context?.logger.warn(`jdbc-source could not list tables: ${errorMessage(err)}`);
    }
  }

  private async listTables(): Promise<TableSelection> {
    const config = this.config as JdbcSourceConfig;
    const all = await (this.dialect as Dialect).listTables({
      catalogPattern: config.catalogPattern,
      schemaPattern: config.schemaPattern,
      tableTypes: config.tableTypes,
    });
    return selectTables(all, config.include, config.exclude);
  }
}

/** Deals items round robin into min(groups, items.length) non-empty groups. */
export function splitRoundRobin<T>(items: readonly T[], groups: number): T[][] {
  const n = Math.min(groups, items.length);
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => out[i % n].push(item));
  return out;
}
