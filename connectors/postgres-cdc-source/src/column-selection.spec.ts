import { crossFieldErrors } from './postgres-cdc-config';
import { buildTableModel, columnSelector } from './table-catalog';

const columns = [
  { name: 'id', typeOid: 23, typeMod: -1, optional: false, sqlType: 'integer' },
  { name: 'email', typeOid: 25, typeMod: -1, optional: true, sqlType: 'text' },
  { name: 'password_hash', typeOid: 25, typeMod: -1, optional: true, sqlType: 'text' },
  { name: 'note', typeOid: 25, typeMod: -1, optional: true, sqlType: 'text' },
];
const users = { schema: 'public', name: 'users' };

describe('column.include.list / column.exclude.list', () => {
  it('matches whole schema.table.column names; key columns are always kept', () => {
    const excluded = columnSelector([], ['public\\.users\\.password_hash', '.*\\.note'])(users);
    expect(buildTableModel(users, 1, columns, ['id'], 'erp', 'precise', { columnFilter: excluded }).valueSchema.fields?.map((f) => f.name)).toEqual(['id', 'email']);
    const included = columnSelector(['public\\.users\\.email'], [])(users);
    expect(buildTableModel(users, 1, columns, ['id'], 'erp', 'precise', { columnFilter: included }).columns.map((c) => c.name)).toEqual(['id', 'email']);
    // a partial match selects nothing (Debezium matches the whole name)
    expect(columnSelector(['users\\.email'], [])(users)('email')).toBe(false);
    expect(columnSelector(['public\\.other\\.email'], [])(users)('email')).toBe(false);
  });

  it('refuses both lists together and invalid expressions, naming the key', () => {
    expect(crossFieldErrors({ 'column.include.list': 'a\\.b\\.c', 'column.exclude.list': 'x' })).toEqual({ 'column.exclude.list': 'column.include.list and column.exclude.list may not both be set' });
    expect(crossFieldErrors({ 'column.exclude.list': 'public.users.(' })).toEqual({ 'column.exclude.list': '"public.users.(" is not a valid regular expression' });
  });
});
