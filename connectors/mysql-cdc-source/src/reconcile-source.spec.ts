import { mysqlCdcReconcileSource } from './reconcile-source';

describe('mysql-cdc reconcile facet', () => {
  const base = { 'database.hostname': 'my', 'database.user': 'cdc', 'database.password': 'pw', 'database.server.id': '5400', 'topic.prefix': 'plant' };

  it('names <prefix>.<database>.<table> of a captured table', () => {
    expect(mysqlCdcReconcileSource.sourceTable(base, 'plant.mes.parts')).toEqual({ dialect: 'mysql', host: 'my', port: 3306, database: 'mes', user: 'cdc', password: 'pw', schema: 'mes', table: 'parts' });
  });

  it('claims no excluded or system table', () => {
    expect(mysqlCdcReconcileSource.sourceTable({ ...base, 'database.include.list': 'erp' }, 'plant.mes.parts')).toBeNull();
    expect(mysqlCdcReconcileSource.sourceTable(base, 'plant.mysql.user')).toBeNull();
    expect(mysqlCdcReconcileSource.sourceTable(base, 'plant.parts')).toBeNull();
  });
});
