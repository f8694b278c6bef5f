import { errorMessage } from './error-message';

describe('errorMessage', () => {
  it('takes an Error’s message and stringifies anything else', () => {
    expect(errorMessage(new RangeError('out of range'))).toBe('out of range');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(Object.create(null))).toBe('[object Object]');
  });
});
