import { formatLsn, parseLsn } from './lsn';

describe('lsn', () => {
  it('parses and formats the X/Y text form', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('1/0')).toBe(1n << 32n);
    expect(formatLsn(parseLsn('A/FFFFFFFF') + 1n)).toBe('B/0');
    expect(() => parseLsn('nope')).toThrow(/not an LSN/);
  });
});
