import { ConfigProviderError, type ConfigProvider } from './config-provider';

/** Kafka's ConfigTransformer pattern: `${provider:path:key}` or `${provider:key}`. */
const PLACEHOLDER = /\$\{([^}]*?):(?:([^}]*?):)?([^}]*?)\}/g;

export interface TransformedConfig {
  readonly config: Record<string, string>;
  /** Every value a provider returned (the log scrubber hides them). */
  readonly resolvedValues: string[];
}

/**
 * Replaces `${provider:path:key}` placeholders in config values with what the named
 * provider returns (Kafka's ConfigTransformer). Contracts: a placeholder naming a
 * provider that is not configured stays as written (as in Kafka); a configured
 * provider that cannot resolve its placeholder throws ConfigProviderError naming the
 * config key and the placeholder, never a value; the input is not modified.
 */
export class ConfigTransformer {
  private readonly providers: ReadonlyMap<string, ConfigProvider>;

  constructor(providers: readonly ConfigProvider[]) {
    this.providers = new Map(providers.map((p) => [p.name, p]));
  }

  get providerNames(): string[] {
    return [...this.providers.keys()];
  }

  transform(config: Readonly<Record<string, string>>): TransformedConfig {
    const out: Record<string, string> = {};
    const resolvedValues: string[] = [];
    for (const [key, value] of Object.entries(config)) {
      out[key] = value.replace(PLACEHOLDER, (whole: string, name: string, path: string | undefined, item: string) => {
        const provider = this.providers.get(name);
        if (!provider) return whole;
        try {
          const resolved = provider.get(path ?? '', item);
          resolvedValues.push(resolved);
          return resolved;
        } catch (err) {
          const reason = err instanceof ConfigProviderError ? err.message : `${whole}: ${(err as Error).message}`;
          throw new ConfigProviderError(`Cannot resolve configuration ${key}: ${reason}`);
        }
      });
    }
    return { config: out, resolvedValues };
  }

  /**
   * Kafka's reverse transform: in configs derived from `raw` (task configs a connector
   * generated from the resolved connector config), every key whose raw value holds a
   * placeholder gets the raw value back, so resolved secrets are never stored.
   */
  static restorePlaceholders(raw: Readonly<Record<string, string>>, derived: Readonly<Record<string, string>>): Record<string, string> {
    const out = { ...derived };
    for (const [key, value] of Object.entries(raw)) {
      PLACEHOLDER.lastIndex = 0;
      if (key in out && PLACEHOLDER.test(value)) out[key] = value;
    }
    PLACEHOLDER.lastIndex = 0;
    return out;
  }
}
