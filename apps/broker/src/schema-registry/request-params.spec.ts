import { RegistryError } from './registry-errors';
import { parseFlag, parseSchemaId, parseVersionId } from './request-params';

describe('request parameters', () => {
  it('parses version ids like Confluent', () => {
    expect(parseVersionId('latest')).toBe(-1);
    expect(parseVersionId('-1')).toBe(-1);
    expect(parseVersionId('7')).toBe(7);
    for (const bad of ['0', '-2', 'abc', '2147483648', '1.5']) {
      expect(() => parseVersionId(bad)).toThrow(expect.objectContaining({ status: 422, errorCode: 42202 }) as RegistryError);
    }
  });

  it('reads boolean flags and ids', () => {
    expect(parseFlag('TRUE')).toBe(true);
    expect(parseFlag('1')).toBe(false);
    expect(parseFlag(undefined)).toBe(false);
    expect(parseSchemaId('12')).toBe(12);
    expect(() => parseSchemaId('x')).toThrow(expect.objectContaining({ status: 404, errorCode: 40403 }) as RegistryError);
  });
});
