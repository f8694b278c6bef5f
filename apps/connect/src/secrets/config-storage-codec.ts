import type { LogScrubber } from './log-scrubber';
import { SecretCipher, SecretDecryptionError } from './secret-cipher';

type Config = Readonly<Record<string, string>>;

/** Which keys of a config hold secrets, given the connector class that owns it. */
export type SecretKeyLookup = (connectorClass: string | undefined) => (key: string) => boolean;

/**
 * How connector and task configs are written to and read from connect-configs.
 * Contracts: with a cipher, every secret value is written as an AES-256-GCM envelope
 * bound to `<connector>/<key>` (one already encrypted is kept); without one, values are
 * written as given. On read, envelopes are decrypted; one that cannot be (no or another
 * key, altered, moved) stays as stored and `onError` hears of it once per connector and
 * key. Every secret value written or read is registered with the scrubber.
 */
export class ConfigStorageCodec {
  private readonly reported = new Set<string>();

  constructor(
    private readonly cipher: SecretCipher | null,
    private readonly secretKeys: SecretKeyLookup,
    private readonly scrubber: LogScrubber,
    private readonly onError: (connector: string, key: string, message: string) => void,
  ) {}

  /** `config` as written; `connectorConfig` (for task configs) names the connector class. */
  encode(connector: string, config: Config, connectorConfig: Config = config): Record<string, string> {
    const isSecret = this.secretKeys(connectorConfig['connector.class']);
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
      if (!isSecret(key)) {
        out[key] = value;
        continue;
      }
      this.scrubber.add(value);
      out[key] = this.cipher && !SecretCipher.isEncrypted(value) ? this.cipher.encrypt(value, `${connector}/${key}`) : value;
    }
    return out;
  }

  decode(connector: string, config: Config): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) out[key] = SecretCipher.isEncrypted(value) ? this.decrypt(connector, key, value) : value;
    const isSecret = this.secretKeys(out['connector.class']);
    for (const [key, value] of Object.entries(out)) if (isSecret(key)) this.scrubber.add(value);
    return out;
  }

  private decrypt(connector: string, key: string, value: string): string {
    try {
      if (!this.cipher) throw new SecretDecryptionError('MILLRACE_CONNECT_SECRETS_KEY is not set');
      const plain = this.cipher.decrypt(value, `${connector}/${key}`);
      this.scrubber.add(plain);
      return plain;
    } catch (err) {
      const id = `${connector}/${key}`;
      if (!this.reported.has(id)) {
        this.reported.add(id);
        this.onError(connector, key, `cannot decrypt ${key} of connector ${connector}: ${(err as Error).message}`);
      }
      return value;
    }
  }
}
