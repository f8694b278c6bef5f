import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Prefix of an encrypted config value. The whole value is
 * `$enc:v1:<iv>:<tag>:<ciphertext>`, each part base64url without padding: a 12-byte
 * random IV, the 16-byte GCM tag, and the UTF-8 plaintext encrypted with AES-256-GCM
 * under MILLRACE_CONNECT_SECRETS_KEY, authenticated with associated data
 * `<connector>/<config key>` (UTF-8). `v1` names this layout.
 */
export const ENCRYPTED_PREFIX = '$enc:v1:';

/** A value that looks encrypted but cannot be decrypted (wrong key, tampered, truncated). */
export class SecretDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretDecryptionError';
  }
}

/**
 * Parses MILLRACE_CONNECT_SECRETS_KEY: exactly 32 bytes written as 64 hex digits or as
 * base64 / base64url (44 characters with padding, 43 without). Returns the key or an
 * error message saying what to fix.
 */
export function parseSecretsKey(text: string): Buffer | string {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  return 'expected 32 random bytes as 64 hex digits or 44 base64 characters (generate one with: openssl rand -base64 32)';
}

/**
 * AES-256-GCM for config values at rest. Each value gets a fresh 12-byte IV; the
 * associated data (e.g. `<connector>/<key>`) binds a ciphertext to where it was stored,
 * so moving it to another key or connector fails authentication like any tampering.
 * Contract: `decrypt(encrypt(v, ad), ad) === v`; any change to the envelope, the
 * associated data or the key makes `decrypt` throw SecretDecryptionError.
 */
export class SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  }

  static isEncrypted(value: string): boolean {
    return value.startsWith(ENCRYPTED_PREFIX);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${ENCRYPTED_PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
  }

  decrypt(envelope: string, associatedData: string): string {
    if (!SecretCipher.isEncrypted(envelope)) throw new SecretDecryptionError('not an encrypted value');
    const parts = envelope.slice(ENCRYPTED_PREFIX.length).split(':');
    if (parts.length !== 3) throw new SecretDecryptionError('malformed encrypted value');
    const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64url'));
    if (iv.length !== 12 || tag.length !== 16) throw new SecretDecryptionError('malformed encrypted value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError('authentication failed (another MILLRACE_CONNECT_SECRETS_KEY, or the value was altered)');
    }
  }
}
