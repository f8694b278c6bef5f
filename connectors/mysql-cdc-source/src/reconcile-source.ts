import type { ReconcileSourceFacet, SqlTableRef } from '@millrace/connect-sdk';
import { parseMySqlCdcConfig } from './mysql-cdc-config';
import { isCaptured } from './table-catalog';

/**
 * The table behind a topic of this connector, for reconciliation: topic
 * `<topic.prefix>.<database>.<table>` of a captured table.
 */
export const mysqlCdcReconcileSource: ReconcileSourceFacet = {
  sourceTable(raw, topic): SqlTableRef | null {
    const config = parseMySqlCdcConfig(raw);
    if (!topic.startsWith(`${config.topicPrefix}.`)) return null;
    const rest = topic.slice(config.topicPrefix.length + 1);
    const dot = rest.indexOf('.');
    if (dot <= 0) return null;
    const t = { database: rest.slice(0, dot), name: rest.slice(dot + 1) };
    if (!isCaptured(config, t)) return null;
    return { dialect: 'mysql', host: config.hostname, port: config.port, database: t.database, user: config.user, password: config.password ?? undefined, schema: t.database, table: t.name };
  },
};
