import { ConfigProviderError, type ConfigProvider } from './config-provider';

/**
 * `${env:VAR}`: the worker's environment variable VAR (Kafka's EnvVarConfigProvider).
 * A path is not allowed; an unset variable throws.
 */
export class EnvConfigProvider implements ConfigProvider {
  readonly name = 'env';

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  get(path: string, key: string): string {
    if (path !== '') throw new ConfigProviderError(`\${env:${path}:${key}}: the env provider takes no path (write \${env:VARIABLE})`);
    const value = this.env[key];
    if (value === undefined) throw new ConfigProviderError(`\${env:${key}}: environment variable ${key} is not set on the worker`);
    return value;
  }
}
