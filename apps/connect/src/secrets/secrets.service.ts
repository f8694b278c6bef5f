import { Inject, Injectable } from '@nestjs/common';
import { ROOT_LOGGER } from '@millrace/app-common';
import { HIDDEN_VALUE, type ConfigInfos, type ConnectorPlugin } from '@millrace/connect-sdk';
import type { Logger } from 'pino';
import { CONNECT_CONFIG, type ConnectConfig } from '../config/connect-config';
import { connectorConfigDef, type ConnectorValidation } from '../plugins/connector-config-validator';
import { PluginRegistry } from '../plugins/plugin-registry';
import { maskConfig, restoreHiddenValues } from './config-masking';
import { createConfigProviders } from './config-providers';
import { ConfigTransformer } from './config-transformer';
import { resolveForValidation, withPlaceholdersBack } from './resolved-validation';
import { LOG_SCRUBBER, type LogScrubber } from './log-scrubber';
import { ConfigStorageCodec } from './config-storage-codec';
import { SecretCipher } from './secret-cipher';
import { secretKeyPredicate } from './secret-keys';

type Config = Readonly<Record<string, string>>;

/**
 * Keeps connector secrets out of sight (issue 8):
 * - masking: the values of secret keys (PASSWORD keys of the connector's plugin, and
 *   secret-looking names, see secret-keys.ts) are `[hidden]` in what the REST API shows;
 *   a `[hidden]` sent back keeps the stored value;
 * - config providers: `${env:..}`, `${file:..}`, `${directory:..}` are resolved only
 *   when a connector or task starts, and never written back resolved;
 * - encryption at rest: with MILLRACE_CONNECT_SECRETS_KEY, secret values are stored in
 *   connect-configs as AES-256-GCM envelopes (secret-cipher.ts) bound to
 *   `<connector>/<key>`; without it they are stored as given (as Kafka Connect does);
 * - logs: every secret value met (stored, decrypted or resolved) is registered with the
 *   LogScrubber, which hides it in every log line.
 * Task configs are classified by their connector's `connector.class`.
 */
@Injectable()
export class SecretsService {
  private readonly transformer: ConfigTransformer;
  private readonly codec: ConfigStorageCodec;

  constructor(
    @Inject(CONNECT_CONFIG) config: ConnectConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    @Inject(LOG_SCRUBBER) private readonly scrubber: LogScrubber,
    private readonly plugins: PluginRegistry,
  ) {
    this.transformer = new ConfigTransformer(createConfigProviders(config.configProviders));
    const cipher = config.secretsKey ? new SecretCipher(config.secretsKey) : null;
    const logger = rootLogger.child({ component: 'secrets' });
    this.codec = new ConfigStorageCodec(cipher, (c) => this.isSecret(c), scrubber, (connector, key, message) => logger.error({ connector, key }, message));
  }

  /** Whether `key` holds a secret in a config of the connector class `connectorClass`. */
  isSecret(connectorClass: string | undefined): (key: string) => boolean {
    const plugin = this.plugins.find(connectorClass ?? '');
    return secretKeyPredicate(plugin ? connectorConfigDef(plugin) : undefined);
  }

  /** `config` as the REST API shows it; `connectorConfig` (for task configs) gives the plugin. */
  mask(config: Config, connectorConfig: Config = config): Record<string, string> {
    return maskConfig(config, this.isSecret(connectorConfig['connector.class']));
  }

  /** A ConnectorInfo-shaped answer with its config masked. */
  maskInfo<T extends { config: Record<string, string> }>(info: T): T {
    return { ...info, config: this.mask(info.config) };
  }

  /**
   * A validation answer as shown: secret values `[hidden]` (connect-sdk already hides
   * PASSWORD keys; this adds the secret-looking names) and secrets of `config` hidden in
   * the error messages.
   */
  maskInfos(infos: ConfigInfos, config: Config): ConfigInfos {
    const isSecret = this.isSecret(config['connector.class']);
    this.noteSecrets(config);
    return {
      ...infos,
      configs: infos.configs.map((c) => ({
        ...c,
        value: {
          ...c.value,
          value: isSecret(c.value.name) && c.value.value !== null ? HIDDEN_VALUE : c.value.value,
          errors: c.value.errors.map((e) => this.scrubber.scrub(e)),
        },
      })),
    };
  }

  /** A status answer with known secret values hidden in its traces (an error message may quote one). */
  scrubStatus<T extends { connector: { trace?: string }; tasks: { trace?: string }[] }>(status: T): T {
    const scrub = <S extends { trace?: string }>(s: S): S => (s.trace === undefined ? s : { ...s, trace: this.scrubber.scrub(s.trace) });
    return { ...status, connector: scrub(status.connector), tasks: status.tasks.map(scrub) };
  }

  /** A text with known secret values hidden. */
  scrub(text: string): string {
    return this.scrubber.scrub(text);
  }

  /**
   * Validates a connector config as it will run: placeholders resolved (Kafka's herder
   * validates the transformed config), the answer showing the placeholders again, a
   * placeholder that cannot be resolved an error on its key, and resolved values hidden
   * from error messages and logs.
   */
  validate(plugin: ConnectorPlugin, config: Config): ConnectorValidation {
    const resolved = resolveForValidation(this.transformer, config);
    for (const v of resolved.resolvedValues) this.scrubber.add(v);
    const validation = withPlaceholdersBack(this.plugins.validate(plugin, resolved.config), config, resolved);
    if (resolved.resolvedValues.length === 0) return validation;
    return { ...validation, messages: validation.messages.map((m) => this.scrubber.scrub(m)) };
  }

  /** Registers the secret values of a config with the log scrubber (incoming configs, before anything logs them). */
  noteSecrets(config: Config): void {
    const isSecret = this.isSecret(config['connector.class']);
    for (const [key, value] of Object.entries(config)) if (isSecret(key)) this.scrubber.add(value);
  }

  /** An incoming config with `[hidden]` values replaced by the stored ones. */
  restoreHidden<T extends string | null>(incoming: Readonly<Record<string, T>>, stored: Config | undefined): Record<string, T | string> {
    return restoreHiddenValues(incoming, stored);
  }

  /**
   * Resolves the config providers' placeholders for a connector or task start. The
   * result is only handed to the plugin, never stored; its resolved values are hidden
   * from the logs. Throws ConfigProviderError naming the key and placeholder.
   */
  resolve(config: Config, plugin?: ConnectorPlugin, connectorConfig: Config = config): Record<string, string> {
    const { config: resolved, resolvedValues } = this.transformer.transform(config);
    for (const v of resolvedValues) this.scrubber.add(v);
    const isSecret = plugin ? secretKeyPredicate(connectorConfigDef(plugin)) : this.isSecret(connectorConfig['connector.class']);
    for (const [key, value] of Object.entries(resolved)) if (isSecret(key)) this.scrubber.add(value);
    return resolved;
  }

  /** Task configs a connector generated from its resolved config, with the placeholders of `raw` put back. */
  unresolve(raw: Config, taskConfigs: readonly Config[]): Record<string, string>[] {
    return taskConfigs.map((t) => ConfigTransformer.restorePlaceholders(raw, t));
  }

  /** A config as written to connect-configs: secret values encrypted when a key is set (config-storage-codec.ts). */
  encodeForStorage(connector: string, config: Config, connectorConfig: Config = config): Record<string, string> {
    return this.codec.encode(connector, config, connectorConfig);
  }

  /** A config read from connect-configs: envelopes decrypted, or kept and logged once when they cannot be. */
  decodeFromStorage(connector: string, config: Config): Record<string, string> {
    return this.codec.decode(connector, config);
  }
}
