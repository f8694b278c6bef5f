import type { ConfigInfo, ConfigInfos } from '@millrace/connect-sdk';
import type { ConnectorValidation } from '../plugins/connector-config-validator';
import { ConfigProviderError } from './config-provider';
import type { ConfigTransformer } from './config-transformer';

type Config = Readonly<Record<string, string>>;

/** A config with its placeholders resolved key by key: what resolved, and why the others did not. */
export interface ResolvedForValidation {
  readonly config: Record<string, string>;
  /** Keys whose value holds a placeholder that resolved (their raw value is shown back). */
  readonly resolvedKeys: Set<string>;
  /** Every value a provider returned (registered with the log scrubber by the caller). */
  readonly resolvedValues: string[];
}

/**
 * Resolves the config providers' placeholders of `raw` for validation, as Kafka's herder
 * validates the transformed config: a `${file:…}` connection URL or a `${env:…}` port is
 * checked as the value the task will get. Each key resolves on its own; a placeholder
 * that cannot be resolved here keeps its raw value, as Kafka's transformer leaves it
 * (the worker that runs the task may have the variable or file; if not, the task fails
 * at start naming it).
 */
export function resolveForValidation(transformer: ConfigTransformer, raw: Config): ResolvedForValidation {
  const config: Record<string, string> = {};
  const resolvedKeys = new Set<string>();
  const resolvedValues: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    try {
      const one = transformer.transform({ [key]: value });
      config[key] = one.config[key];
      if (one.resolvedValues.length > 0) {
        resolvedKeys.add(key);
        resolvedValues.push(...one.resolvedValues);
      }
    } catch (err) {
      if (!(err instanceof ConfigProviderError)) throw err;
      config[key] = value;
    }
  }
  return { config, resolvedKeys, resolvedValues };
}

/** A validation of the resolved config as the REST API answers it: resolved keys show their raw value (the placeholder). */
export function withPlaceholdersBack(validation: ConnectorValidation, raw: Config, resolved: ResolvedForValidation): ConnectorValidation {
  const configs: ConfigInfo[] = validation.infos.configs.map((c) =>
    resolved.resolvedKeys.has(c.value.name) ? { ...c, value: { ...c.value, value: raw[c.value.name] ?? c.value.value } } : c,
  );
  const infos: ConfigInfos = { ...validation.infos, configs };
  return { ...validation, infos };
}
