import { columnTypeSql, widens } from './column-evolution';

describe('column widening', () => {
  it('widens integers, floats, decimals and varchars, never narrows or crosses families', () => {
    expect(widens({ type: 'integer' }, { type: 'bigint' })).toBe(true);
    expect(widens({ type: 'smallint' }, { type: 'integer' })).toBe(true);
    expect(widens({ type: 'int' }, { type: 'bigint' })).toBe(true);
    expect(widens({ type: 'bigint' }, { type: 'integer' })).toBe(false);
    expect(widens({ type: 'integer' }, { type: 'integer' })).toBe(false);
    expect(widens({ type: 'real' }, { type: 'double precision' })).toBe(true);
    expect(widens({ type: 'integer' }, { type: 'double precision' })).toBe(false);
    expect(widens({ type: 'integer' }, { type: 'text' })).toBe(false);
    expect(widens({ type: 'numeric', precision: 8, scale: 2 }, { type: 'numeric', precision: 12, scale: 2 })).toBe(true);
    expect(widens({ type: 'numeric', precision: 8, scale: 2 }, { type: 'numeric', precision: 8, scale: 3 })).toBe(false); // fewer integer digits
    expect(widens({ type: 'numeric', precision: 8, scale: 2 }, { type: 'numeric' })).toBe(true);
    expect(widens({ type: 'numeric', precision: null }, { type: 'numeric', precision: 12, scale: 2 })).toBe(false);
    expect(widens({ type: 'character varying', length: '10' }, { type: 'text' })).toBe(true);
    expect(widens({ type: 'varchar', length: '10' }, { type: 'varchar', length: '50' })).toBe(true);
    expect(widens({ type: 'varchar', length: '255' }, { type: 'varchar', length: '50' })).toBe(false);
  });

  it('spells column types', () => {
    expect(columnTypeSql({ type: 'bigint' })).toBe('bigint');
    expect(columnTypeSql({ type: 'numeric', precision: 12, scale: 2 })).toBe('numeric(12,2)');
    expect(columnTypeSql({ type: 'varchar', length: '50' })).toBe('varchar(50)');
    expect(columnTypeSql({ type: 'datetime', precision: 3 })).toBe('datetime(3)');
  });
});
