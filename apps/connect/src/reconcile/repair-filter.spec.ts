import { dataCollection, driftFilter } from './repair-filter';

const pg = { dialect: 'postgres' as const, host: 'h', port: 5432, database: 'erp', schema: 'public', table: 'orders' };
const my = { ...pg, dialect: 'mysql' as const, schema: 'erp' };
const chunk = (from: string[] | null, to: string[] | null) => ({ chunk: 0, from, to, source_rows: 1, target_rows: 1 });

describe('repair filter', () => {
  it('ORs the drifted key ranges, open ends left out', () => {
    expect(driftFilter(pg, ['id'], [chunk(null, ['10']), chunk(['40'], ['45']), chunk(['90'], null)])).toBe(`("id" <= '10') OR ("id" > '40' AND "id" <= '45') OR ("id" > '90')`);
  });

  it('compares composite keys as row values and quotes per dialect', () => {
    expect(driftFilter(my, ['a', 'b'], [chunk(['1', "o'k"], ['2', 'x'])])).toBe("((`a`, `b`) > ('1', 'o''k') AND (`a`, `b`) <= ('2', 'x'))");
    expect(driftFilter(pg, ['we"ird'], [chunk(null, null)])).toBe('TRUE');
  });

  it('names the table as a signal does', () => {
    expect(dataCollection(pg)).toBe('public.orders');
    expect(dataCollection({ ...my, schema: null })).toBe('erp.orders');
  });
});
