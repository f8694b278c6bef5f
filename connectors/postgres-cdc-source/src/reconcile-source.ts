import type { ReconcileSourceFacet, SqlTableRef } from '@millrace/connect-sdk';
import { parsePostgresCdcConfig } from './postgres-cdc-config';
import { isTableSelected } from './table-catalog';

/**
 * The table behind a topic of this connector, for reconciliation: topic
 * `<topic.prefix>.<schema>.<table>` of a captured table (table.include/exclude.list).
 */
export const postgresCdcReconcileSource: ReconcileSourceFacet = {
  sourceTable(raw, topic): SqlTableRef | null {
    const config = parsePostgresCdcConfig(raw);
    if (!topic.startsWith(`${config.topicPrefix}.`)) return null;
    const rest = topic.slice(config.topicPrefix.length + 1);
    const dot = rest.indexOf('.');
    if (dot <= 0) return null;
    const t = { schema: rest.slice(0, dot), name: rest.slice(dot + 1) };
    if (!isTableSelected(config.tableInclude, config.tableExclude, t)) return null;
    return { dialect: 'postgres', host: config.hostname, port: config.port, database: config.dbname, user: config.user, password: config.password ?? undefined, schema: t.schema, table: t.name };
  },
};
