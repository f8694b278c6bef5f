import * as fs from 'node:fs';
import { ConfigProviderError, type ConfigProvider } from './config-provider';
import { parseJavaProperties } from './java-properties';

/**
 * `${file:/path/to/file.properties:key}`: the value of `key` in a Java properties file
 * (Kafka's FileConfigProvider). The file is read at every resolution (a rotated secret
 * is picked up at the next task start). A missing file or key throws.
 */
export class FileConfigProvider implements ConfigProvider {
  readonly name = 'file';

  get(path: string, key: string): string {
    if (path === '') throw new ConfigProviderError(`\${file:${key}}: the file provider needs a path (write \${file:/path/to/file.properties:key})`);
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigProviderError(`\${file:${path}:${key}}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const value = parseJavaProperties(text).get(key);
    if (value === undefined) throw new ConfigProviderError(`\${file:${path}:${key}}: ${path} has no key ${key}`);
    return value;
  }
}
