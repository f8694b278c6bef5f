import type { JdbcSourceConfig, TableRef } from './jdbc-source-config';

/**
 * Which tables a table-mode jdbc-source copies, and what it tells the user when that is
 * not what the config asked for.
 *
 * Contracts:
 * - `selectTables`: of the listed tables (catalog.pattern, schema.pattern, table.types),
 *   table.whitelist/include.list keeps only those it names, table.blacklist/exclude.list
 *   drops those it names; an entry names a table by `name` or `<schema>.<name>`.
 *   `missing` are the whitelist entries that name no listed table (in config order).
 * - A task whose config carries `missing.tables` (set by the connector) fails at open
 *   with `missingTablesMessage`, naming them; the connector keeps listing and
 *   reconfigures its tasks once they exist.
 * - With no whitelist and nothing selected (the patterns or blacklist select no table
 *   yet), the one idle task shows `noTablesMessage` in its status instead of failing.
 */
export interface TableSelection {
  readonly tables: TableRef[];
  readonly missing: string[];
}

/** Task config key: JSON array of the whitelist entries that name no existing table. */
export const TASK_MISSING_TABLES_KEY = 'missing.tables';

export function selectTables(listed: readonly TableRef[], include: readonly string[], exclude: readonly string[]): TableSelection {
  const names = (t: TableRef): string[] => [t.name, describeTable(t)];
  if (include.length > 0) {
    const wanted = new Set(include);
    const found = new Set(listed.flatMap(names));
    return { tables: listed.filter((t) => names(t).some((n) => wanted.has(n))), missing: [...wanted].filter((entry) => !found.has(entry)) };
  }
  const dropped = new Set(exclude);
  return { tables: listed.filter((t) => !names(t).some((n) => dropped.has(n))), missing: [] };
}

export function missingTablesMessage(config: JdbcSourceConfig, missing: readonly string[]): string {
  return (
    `jdbc-source: table.whitelist names ${missing.length === 1 ? 'a table that does' : 'tables that do'} not exist: ${missing.join(', ')} ` +
    `(tables listed with ${listingDescription(config)}). Create ${missing.length === 1 ? 'it' : 'them'} or correct table.whitelist; ` +
    `the connector lists tables every table.poll.interval.ms (${config.tablePollIntervalMs} ms) and restarts its tasks once they exist.`
  );
}

export function noTablesMessage(config: JdbcSourceConfig): string {
  const excluded = config.exclude.length > 0 ? ` minus table.blacklist=${config.exclude.join(',')}` : '';
  return `No table matches ${listingDescription(config)}${excluded} yet; tables are picked up within table.poll.interval.ms (${config.tablePollIntervalMs} ms) of being created.`;
}

export function describeTable(t: TableRef): string {
  return `${t.schema}.${t.name}`;
}

/** Parses the `missing.tables` task config value; [] when absent. */
export function parseMissingTables(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [];
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every((e) => typeof e === 'string')) throw new Error(`task config "${TASK_MISSING_TABLES_KEY}" must be a JSON array of strings`);
  return parsed;
}

function listingDescription(config: JdbcSourceConfig): string {
  return `catalog.pattern=${config.catalogPattern ?? 'null'}, schema.pattern=${config.schemaPattern ?? 'null'}, table.types=${config.tableTypes.join(',')}`;
}
