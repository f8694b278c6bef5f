import { HIDDEN_VALUE } from './secret-keys';

/** A copy of `config` with every secret key's value replaced by `[hidden]`. */
export function maskConfig(config: Readonly<Record<string, string>>, isSecret: (key: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) out[key] = isSecret(key) ? HIDDEN_VALUE : value;
  return out;
}

/**
 * A config sent back by a client that read it masked: every `[hidden]` value whose key
 * the stored config has takes the stored value, so a `PUT`/`PATCH` that echoes a masked
 * config keeps the secrets. Other values are taken as sent.
 */
export function restoreHiddenValues<T extends string | null>(incoming: Readonly<Record<string, T>>, stored: Readonly<Record<string, string>> | undefined): Record<string, T | string> {
  const out: Record<string, T | string> = { ...incoming };
  if (!stored) return out;
  for (const [key, value] of Object.entries(incoming)) {
    if (value === HIDDEN_VALUE && stored[key] !== undefined) out[key] = stored[key];
  }
  return out;
}
