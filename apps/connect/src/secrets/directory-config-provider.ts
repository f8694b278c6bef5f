import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ConfigProviderError, type ConfigProvider } from './config-provider';

/**
 * `${directory:/path/to/dir:filename}`: the whole content of a file in a directory
 * (Kafka's DirectoryConfigProvider, e.g. Kubernetes secrets mounted as files). The
 * key must name a regular file directly inside the directory (no `/`, no `..`).
 */
export class DirectoryConfigProvider implements ConfigProvider {
  readonly name = 'directory';

  get(path: string, key: string): string {
    const placeholder = `\${directory:${path}:${key}}`;
    if (path === '') throw new ConfigProviderError(`${placeholder}: the directory provider needs a path (write \${directory:/path/to/dir:filename})`);
    if (key === '' || key === '.' || key === '..' || key.includes('/') || key.includes('\\')) {
      throw new ConfigProviderError(`${placeholder}: the key must be a file name inside ${path}`);
    }
    const file = nodePath.join(path, key);
    try {
      if (!fs.statSync(file).isFile()) throw new ConfigProviderError(`${placeholder}: ${file} is not a regular file`);
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      if (err instanceof ConfigProviderError) throw err;
      throw new ConfigProviderError(`${placeholder}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
}
