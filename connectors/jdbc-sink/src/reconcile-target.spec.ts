import { jdbcSinkReconcileTarget } from './reconcile-target';

describe('jdbc-sink reconcile facet', () => {
  const base = { 'connection.url': 'jdbc:postgresql://wh:5432/dwh?user=w&password=pw', topics: 'erp.orders' };

  it('names the table a topic lands in through table.name.format, a schema split at the dot', () => {
    expect(jdbcSinkReconcileTarget.targetTable(base, 'orders')).toEqual({ dialect: 'postgres', host: 'wh', port: 5432, database: 'dwh', user: 'w', password: 'pw', schema: null, table: 'orders' });
    expect(jdbcSinkReconcileTarget.targetTable({ ...base, 'table.name.format': 'staging.${topic}_copy' }, 'orders')).toMatchObject({ schema: 'staging', table: 'orders_copy' });
  });
});
