import { postgresCdcReconcileSource } from './reconcile-source';

describe('postgres-cdc reconcile facet', () => {
  const base = { 'database.hostname': 'pg', 'database.port': '5432', 'database.user': 'cdc', 'database.dbname': 'erp', 'topic.prefix': 'erp' };

  it('names <prefix>.<schema>.<table> of a captured table', () => {
    expect(postgresCdcReconcileSource.sourceTable({ ...base, 'table.include.list': 'public\\.orders' }, 'erp.public.orders')).toEqual({
      dialect: 'postgres', host: 'pg', port: 5432, database: 'erp', user: 'cdc', password: undefined, schema: 'public', table: 'orders',
    });
  });

  it('claims no uncaptured table, other prefix or heartbeat topic', () => {
    expect(postgresCdcReconcileSource.sourceTable({ ...base, 'table.include.list': 'public\\.orders' }, 'erp.public.items')).toBeNull();
    expect(postgresCdcReconcileSource.sourceTable(base, 'other.public.orders')).toBeNull();
    expect(postgresCdcReconcileSource.sourceTable(base, '__debezium-heartbeat.erp')).toBeNull();
  });
});
