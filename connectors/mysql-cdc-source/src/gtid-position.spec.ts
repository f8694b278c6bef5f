import { advanceGtidPosition, mariaDbPositionCovers } from './gtid-position';

describe('GTID positions', () => {
  it('MariaDB: replaces the entry of the transaction domain, keeps the others', () => {
    expect(advanceGtidPosition('', '0-1-5')).toBe('0-1-5');
    expect(advanceGtidPosition('0-1-5,1-2-9', '0-1-6')).toBe('0-1-6,1-2-9');
    expect(advanceGtidPosition('1-2-9', '0-1-6')).toBe('0-1-6,1-2-9');
  });
  it('MySQL: the executed GTID set gains each transaction', () => {
    const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
    const other = '4e11fa47-71ca-11e1-9e33-c80aa9429562';
    expect(advanceGtidPosition(`${uuid}:1-5`, `${uuid}:6`)).toBe(`${uuid}:1-6`);
    expect(advanceGtidPosition(`${uuid}:1-5`, `${other}:1`)).toBe(`${uuid}:1-5,${other}:1`);
    expect(advanceGtidPosition('', `${uuid}:3`)).toBe(`${uuid}:3`);
  });
  it('MariaDB: a position is still in the binlog when no domain of the oldest file start is past it', () => {
    expect(mariaDbPositionCovers('0-1-150', '0-1-100')).toBe(true);
    expect(mariaDbPositionCovers('0-1-100', '0-1-100')).toBe(true);
    expect(mariaDbPositionCovers('0-1-90', '0-1-100')).toBe(false);
    expect(mariaDbPositionCovers('0-1-150', '0-1-100,1-2-3')).toBe(false);
    expect(mariaDbPositionCovers('0-1-150', '')).toBe(true);
  });
});
