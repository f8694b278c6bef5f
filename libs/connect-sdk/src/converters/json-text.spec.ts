import { JsonRawNumber, parseJsonText, stringifyJsonTree } from './json-text';

describe('json text', () => {
  it('keeps big integers and long fractions exact', () => {
    expect(parseJsonText('{"a":9223372036854775807,"b":-9007199254740993,"c":1}')).toEqual({ a: 9223372036854775807n, b: -9007199254740993n, c: 1 });
    expect(parseJsonText('[0.12345678901234567890, 1.5, 1e400]')).toEqual([new JsonRawNumber('0.12345678901234567890'), 1.5, Infinity]);
    expect(parseJsonText('{"s":"1234567890123456789 \\" \\u00e9","n":null,"t":true,"f":false,"e":[],"o":{}}')).toEqual({ s: '1234567890123456789 " é', n: null, t: true, f: false, e: [], o: {} });
  });

  it('rejects invalid JSON on both paths', () => {
    expect(() => parseJsonText('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonText('{"a":12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJsonText('[12345678901234567890] x')).toThrow('Unexpected data after the JSON value');
  });

  it('writes bigints and raw numbers as digits', () => {
    expect(stringifyJsonTree({ a: 2n ** 64n, b: new JsonRawNumber('1.0'), c: ['x', null, true], d: 'q"' })).toBe('{"a":18446744073709551616,"b":1.0,"c":["x",null,true],"d":"q\\""}');
    expect(() => stringifyJsonTree(NaN)).toThrow(TypeError);
  });

  it('keeps a "__proto__" key as data', () => {
    const v = parseJsonText('{"__proto__":{"x":12345678901234567890}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
