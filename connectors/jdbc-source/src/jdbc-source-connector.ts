import type { Connector, ConnectorContext, ParsedConfig } from '@millrace/connect-sdk';
import { connectDialect } from './dialect/create-dialect';
import type { Dialect } from './dialect/dialect';
import { parseJdbcSourceConfig, TASK_TABLES_KEY, type JdbcSourceConfig, type TableRef } from './jdbc-source-config';
import { errorMessage } from '@millrace/app-common';

/**
 * The JDBC source connector: finds the tables to copy and splits them across tasks.
 *
 * Contracts:
 * - Table mode: tables are listed (catalog.pattern, schema.pattern, table.types), then
 *   filtered by table.whitelist/include.list (only those) or table.blacklist/exclude.list
 *   (all but those); an entry matches a table by name or by `<schema>.<name>`.
 *   The list is re-read every table.poll.interval.ms; when it changes the connector calls
 *   `context.requestTaskReconfiguration()`. A failed re-read is logged and retried at the
 *   next interval (the current assignment stays).
 * - `taskConfigs(maxTasks)`: query mode -> one task; table mode -> min(maxTasks, #tables)
 *   tasks, tables dealt round robin in listing order; each task config is the connector
 *   config plus `tables` (JSON array of {schema, name}). No tables -> one idle task with
 *   `tables: []` (logged; the SDK contract wants 1..maxTasks configs), reconfigured when
 *   tables appear.
 * - `stop` ends the monitor and closes the connector's single connection.
 */
export class JdbcSourceConnector implements Connector {
  private raw: Record<string, string> = {};
  private config: JdbcSourceConfig | null = null;
  private context: ConnectorContext | null = null;
  private dialect: Dialect | null = null;
  private tables: TableRef[] = [];
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
      this.tables = await this.listTables();
    } catch (err) {
      await this.dialect.close().catch(() => undefined);
      this.dialect = null;
      throw err;
    }
    context.logger.info(`jdbc-source found ${this.tables.length} table(s): ${this.tables.map(describe).join(', ')}`);
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
      const tables = await this.listTables();
      if (this.stopped) return;
      if (JSON.stringify(tables) !== JSON.stringify(this.tables)) {
        this.context?.logger.info(`jdbc-source tables changed: ${tables.map(describe).join(', ') || '(none)'}`);
        this.tables = tables;
        this.context?.requestTaskReconfiguration();
      }
    } catch (err) {
      this.context?.logger.warn(`jdbc-source could not list tables: ${errorMessage(err)}`);
    }
  }

  private async listTables(): Promise<TableRef[]> {
    const config = this.config as JdbcSourceConfig;
    const all = await (this.dialect as Dialect).listTables({
      catalogPattern: config.catalogPattern,
      schemaPattern: config.schemaPattern,
      tableTypes: config.tableTypes,
    });
    return filterTables(all, config.include, config.exclude);
  }
}

/** Applies the include (whitelist) or exclude (blacklist) list; an entry matches `name` or `schema.name`. */
export function filterTables(tables: readonly TableRef[], include: readonly string[], exclude: readonly string[]): TableRef[] {
  const matches = (t: TableRef, list: readonly string[]): boolean => list.includes(t.name) || list.includes(describe(t));
  if (include.length > 0) return tables.filter((t) => matches(t, include));
  if (exclude.length > 0) return tables.filter((t) => !matches(t, exclude));
  return [...tables];
}

/** Deals items round robin into min(groups, items.length) non-empty groups. */
export function splitRoundRobin<T>(items: readonly T[], groups: number): T[][] {
  const n = Math.min(groups, items.length);
  const out: T[][] = Array.from({ length: n }, () => []);
  items.forEach((item, i) => out[i % n].push(item));
  return out;
}

function describe(t: TableRef): string {
  return `${t.schema}.${t.name}`;
}
