import { randomBytes } from 'node:crypto';
import { ConfigStorageCodec } from './config-storage-codec';
import { LogScrubber } from './log-scrubber';
import { SecretCipher } from './secret-cipher';
import { secretKeyPredicate } from './secret-keys';

describe('ConfigStorageCodec (connect-configs encoding)', () => {
  const codec = (key: Buffer | null) => {
    const errors: string[] = [];
    const scrubber = new LogScrubber();
    const c = new ConfigStorageCodec(key ? new SecretCipher(key) : null, () => secretKeyPredicate(undefined), scrubber, (_c, _k, message) => errors.push(message));
    return { c, errors, scrubber };
  };
  const config = { 'connector.class': 'X', 'connection.password': 'pw-123456', 'connection.user': 'app' };

  test('with a key, secret values are stored as envelopes and read back as given', () => {
    const { c, scrubber } = codec(randomBytes(32));
    const stored = c.encode('c', config);
    expect(stored['connection.password']).toMatch(/^\$enc:v1:/);
    expect(stored['connection.user']).toBe('app');
    expect(c.encode('c', stored)['connection.password']).toBe(stored['connection.password']);
    expect(c.decode('c', stored)).toEqual(config);
    expect(scrubber.scrub('login pw-123456')).toBe('login [hidden]');
  });

  test('without a key, values are stored as given', () => {
    expect(codec(null).c.encode('c', config)).toEqual(config);
  });

  test('an envelope that cannot be decrypted stays as stored and is reported once, naming connector and key', () => {
    const stored = codec(randomBytes(32)).c.encode('c', config);
    for (const other of [codec(null), codec(randomBytes(32))]) {
      expect(other.c.decode('c', stored)['connection.password']).toBe(stored['connection.password']);
      other.c.decode('c', stored);
      expect(other.errors).toHaveLength(1);
      expect(other.errors[0]).toContain('cannot decrypt connection.password of connector c');
    }
  });

  test('an envelope moved to another connector is refused', () => {
    const { c, errors } = codec(randomBytes(32));
    const stored = c.encode('c', config);
    expect(c.decode('d', stored)['connection.password']).toBe(stored['connection.password']);
    expect(errors[0]).toContain('authentication failed');
  });
});
