import type { ConfigProvider } from './config-provider';
import { DirectoryConfigProvider } from './directory-config-provider';
import { EnvConfigProvider } from './env-config-provider';
import { FileConfigProvider } from './file-config-provider';

/** The config providers a worker can enable (MILLRACE_CONNECT_CONFIG_PROVIDERS). */
export const CONFIG_PROVIDER_NAMES = ['env', 'file', 'directory'] as const;
export type ConfigProviderName = (typeof CONFIG_PROVIDER_NAMES)[number];

/** Builds the named providers. */
export function createConfigProviders(names: readonly ConfigProviderName[]): ConfigProvider[] {
  return names.map((name) => {
    switch (name) {
      case 'env':
        return new EnvConfigProvider();
      case 'file':
        return new FileConfigProvider();
      case 'directory':
        return new DirectoryConfigProvider();
    }
  });
}
