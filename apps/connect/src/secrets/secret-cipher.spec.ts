import { randomBytes } from 'node:crypto';
import { parseSecretsKey, SecretCipher, SecretDecryptionError } from './secret-cipher';

describe('SecretCipher (AES-256-GCM envelope)', () => {
  const key = randomBytes(32);
  const cipher = new SecretCipher(key);

  test('round-trips, with a fresh IV each time', () => {
    const a = cipher.encrypt('pässwörd', 'c/connection.password');
    const b = cipher.encrypt('pässwörd', 'c/connection.password');
    expect(a).toMatch(/^\$enc:v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(cipher.decrypt(a, 'c/connection.password')).toBe('pässwörd');
    expect(a).not.toContain('pässwörd');
  });

  test('tampering with ciphertext, tag or IV, another place or another key is detected', () => {
    const env = cipher.encrypt('secret', 'c/k');
    const [iv, tag, ct] = env.slice('$enc:v1:'.length).split(':');
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64url');
      buf[0] ^= 1;
      return buf.toString('base64url');
    };
    for (const bad of [`$enc:v1:${iv}:${tag}:${flip(ct)}`, `$enc:v1:${iv}:${flip(tag)}:${ct}`, `$enc:v1:${flip(iv)}:${tag}:${ct}`]) {
      expect(() => cipher.decrypt(bad, 'c/k')).toThrow(SecretDecryptionError);
    }
    expect(() => cipher.decrypt(env, 'other/k')).toThrow('authentication failed');
    expect(() => new SecretCipher(randomBytes(32)).decrypt(env, 'c/k')).toThrow('authentication failed');
    expect(() => cipher.decrypt('$enc:v1:abc', 'c/k')).toThrow('malformed');
  });

  test('parseSecretsKey takes 32 bytes as hex or base64 and says what to fix otherwise', () => {
    expect((parseSecretsKey(key.toString('hex')) as Buffer).equals(key)).toBe(true);
    expect((parseSecretsKey(key.toString('base64')) as Buffer).equals(key)).toBe(true);
    expect((parseSecretsKey(key.toString('base64url')) as Buffer).equals(key)).toBe(true);
    for (const bad of ['short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'z'.repeat(64)]) {
      expect(parseSecretsKey(bad)).toContain('expected 32 random bytes as 64 hex digits or 44 base64 characters');
    }
  });
});
