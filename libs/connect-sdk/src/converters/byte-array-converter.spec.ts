import { ByteArrayConverter } from './byte-array-converter';

describe('ByteArrayConverter', () => {
  it('passes bytes through', async () => {
    const c = new ByteArrayConverter();
    c.configure({}, false);
    const buf = Buffer.from([1, 2, 3]);
    expect(await c.fromConnectData('t', { type: 'bytes', optional: true }, buf)).toBe(buf);
    expect(await c.fromConnectData('t', null, new Uint8Array([4]))).toEqual(Buffer.from([4]));
    expect(await c.fromConnectData('t', null, null)).toBeNull();
    expect(await c.toConnectData('t', buf)).toEqual({ schema: { type: 'bytes', optional: true }, value: buf });
  });

  it('refuses other schemas and values', async () => {
    const c = new ByteArrayConverter();
    await expect(c.fromConnectData('t', { type: 'string', optional: false }, 'x')).rejects.toThrow('Invalid schema type for ByteArrayConverter: STRING');
    await expect(c.fromConnectData('t', null, 'x')).rejects.toThrow('ByteArrayConverter is not compatible with objects of type string');
  });
});
