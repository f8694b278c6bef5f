import type { ReconcileSourceFacet, SqlTableRef } from '@millrace/connect-sdk';
import { jdbcTableRef } from '@millrace/jdbc';
import { parseJdbcSourceConfig } from './jdbc-source-config';

/**
 * The table behind a topic of this connector, for reconciliation: topic
 * `<topic.prefix><table>` of a polled table (not in `query` mode). The table's schema
 * (Postgres) or database (MySQL) comes from a qualified `table.whitelist` entry, else a
 * wildcard-free `schema.pattern` / `catalog.pattern`, else the connection's default.
 */
export const jdbcSourceReconcileSource: ReconcileSourceFacet = {
  sourceTable(raw, topic): SqlTableRef | null {
    const config = parseJdbcSourceConfig(raw);
    if (config.query !== '' || !topic.startsWith(config.topicPrefix)) return null;
    const name = topic.slice(config.topicPrefix.length);
    if (name === '') return null;
    const unqualified = (entry: string) => entry.slice(entry.lastIndexOf('.') + 1);
    const listed = config.include.find((entry) => unqualified(entry) === name);
    if ((config.include.length > 0 && listed === undefined) || config.exclude.some((entry) => unqualified(entry) === name)) return null;
    const pattern = config.url.driver === 'postgres' ? config.schemaPattern : config.catalogPattern;
    const schema = listed?.includes('.') ? listed.slice(0, listed.lastIndexOf('.')) : pattern !== null && !pattern.includes('%') ? pattern : null;
    return jdbcTableRef(config, schema, name);
  },
};
