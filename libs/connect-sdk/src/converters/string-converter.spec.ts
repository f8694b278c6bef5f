import { ConverterError } from './converter';
import { StringConverter } from './string-converter';

describe('StringConverter', () => {
  it('encodes UTF-8 by default and reads with an optional string schema', async () => {
    const c = new StringConverter();
    c.configure({}, false);
    expect(await c.fromConnectData('t', null, 'héllo')).toEqual(Buffer.from('héllo', 'utf8'));
    expect((await c.fromConnectData('t', null, 12n))?.toString()).toBe('12');
    expect((await c.fromConnectData('t', null, new Date(0)))?.toString()).toBe('1970-01-01T00:00:00.000Z');
    expect(await c.fromConnectData('t', null, null)).toBeNull();
    expect(await c.toConnectData('t', Buffer.from('héllo'))).toEqual({ schema: { type: 'string', optional: true }, value: 'héllo' });
    expect(await c.toConnectData('t', null)).toEqual({ schema: { type: 'string', optional: true }, value: null });
  });

  it('honours converter.encoding=latin1', async () => {
    const c = new StringConverter();
    c.configure({ 'converter.encoding': 'ISO-8859-1' }, true);
    expect([...((await c.fromConnectData('t', null, 'é')) ?? [])]).toEqual([0xe9]);
    expect((await c.toConnectData('t', Buffer.from([0xe9]))).value).toBe('é');
  });

  it('refuses unknown encodings and values without a string form', async () => {
    expect(() => new StringConverter().configure({ 'converter.encoding': 'EBCDIC' }, false)).toThrow(ConverterError);
    const c = new StringConverter();
    c.configure({}, false);
    await expect(c.fromConnectData('t', null, { a: 1 })).rejects.toThrow('StringConverter cannot convert a object to a string');
  });
});
