/**
 * Kafka's ConfigProvider: resolves the `key` of a `path` (`${name:path:key}`, or
 * `${name:key}` without a path) to a value. Contracts: `get` is synchronous and never
 * returns a partial value; a value that cannot be found throws ConfigProviderError whose
 * message names the placeholder's path and key but never a secret value.
 */
export interface ConfigProvider {
  readonly name: string;
  get(path: string, key: string): string;
}

/** A placeholder that cannot be resolved; the message is safe to show and log. */
export class ConfigProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigProviderError';
  }
}
