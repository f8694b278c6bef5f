import { jdbcSourceReconcileSource } from './reconcile-source';

describe('jdbc-source reconcile facet', () => {
  const base = { 'connection.url': 'jdbc:postgresql://db:5433/erp', 'connection.user': 'u', 'connection.password': 's3cret', mode: 'bulk', 'topic.prefix': 'erp.' };

  it('names the table behind <prefix><table>, with the schema of a qualified whitelist entry', () => {
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'table.whitelist': 'sales.orders,items' }, 'erp.orders')).toEqual({
      dialect: 'postgres', host: 'db', port: 5433, database: 'erp', user: 'u', password: 's3cret', schema: 'sales', table: 'orders',
    });
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'table.whitelist': 'sales.orders,items' }, 'erp.items')).toMatchObject({ schema: null, table: 'items' });
  });

  it('claims no topic outside its prefix, its whitelist or in query mode', () => {
    expect(jdbcSourceReconcileSource.sourceTable(base, 'other.orders')).toBeNull();
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'table.whitelist': 'items' }, 'erp.orders')).toBeNull();
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'table.blacklist': 'orders' }, 'erp.orders')).toBeNull();
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, query: 'SELECT 1', 'topic.prefix': 'q' }, 'q')).toBeNull();
  });

  it('takes a wildcard-free schema.pattern (Postgres) or catalog.pattern (MySQL)', () => {
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'schema.pattern': 'erp_main' }, 'erp.orders')).toMatchObject({ schema: 'erp_main' });
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'schema.pattern': 'erp%' }, 'erp.orders')).toMatchObject({ schema: null });
    expect(jdbcSourceReconcileSource.sourceTable({ ...base, 'connection.url': 'jdbc:mariadb://m:3306/plant', 'catalog.pattern': 'plant' }, 'erp.orders')).toMatchObject({ dialect: 'mysql', schema: 'plant', database: 'plant' });
  });
});
