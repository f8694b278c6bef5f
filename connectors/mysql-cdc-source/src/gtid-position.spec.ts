import { advanceGtidPosition } from './gtid-position';

describe('advanceGtidPosition', () => {
  it('MariaDB: replaces the entry of the transaction domain, keeps the others', () => {
    expect(advanceGtidPosition('', '0-1-5')).toBe('0-1-5');
    expect(advanceGtidPosition('0-1-5,1-2-9', '0-1-6')).toBe('0-1-6,1-2-9');
    expect(advanceGtidPosition('1-2-9', '0-1-6')).toBe('0-1-6,1-2-9');
  });
  it('MySQL: the last GTID per source uuid', () => {
    expect(advanceGtidPosition('aaa:5', 'aaa:6')).toBe('aaa:6');
    expect(advanceGtidPosition('aaa:5', 'bbb:1')).toBe('aaa:5,bbb:1');
  });
});
