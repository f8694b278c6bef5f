import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigProviderError } from './config-provider';
import { ConfigTransformer } from './config-transformer';
import { DirectoryConfigProvider } from './directory-config-provider';
import { EnvConfigProvider } from './env-config-provider';
import { FileConfigProvider } from './file-config-provider';
import { parseJavaProperties } from './java-properties';

describe('config providers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'providers-spec-'));
  const props = path.join(dir, 'db.properties');
  fs.writeFileSync(props, 'password = s3cret\nuser:app\n');
  fs.mkdirSync(path.join(dir, 'mounted'));
  fs.writeFileSync(path.join(dir, 'mounted', 'token'), 'tok\n');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('env: a set variable, an unset one names it, a path is refused', () => {
    const env = new EnvConfigProvider({ DB_PASS: 'p' });
    expect(env.get('', 'DB_PASS')).toBe('p');
    expect(() => env.get('', 'MISSING')).toThrow('environment variable MISSING is not set');
    expect(() => env.get('/x', 'DB_PASS')).toThrow(ConfigProviderError);
  });

  test('file: a key of a properties file; a missing key or file names it', () => {
    const file = new FileConfigProvider();
    expect(file.get(props, 'password')).toBe('s3cret');
    expect(file.get(props, 'user')).toBe('app');
    expect(() => file.get(props, 'nope')).toThrow(`${props} has no key nope`);
    expect(() => file.get(path.join(dir, 'absent'), 'k')).toThrow('ENOENT');
    expect(() => file.get('', 'k')).toThrow('needs a path');
  });

  test('directory: the whole content of a file in the directory; no escaping it', () => {
    const d = new DirectoryConfigProvider();
    expect(d.get(path.join(dir, 'mounted'), 'token')).toBe('tok\n');
    expect(() => d.get(path.join(dir, 'mounted'), '../db.properties')).toThrow('must be a file name');
    expect(() => d.get(path.join(dir, 'mounted'), 'absent')).toThrow('cannot read');
    expect(() => d.get(dir, 'mounted')).toThrow('not a regular file');
  });

  test('java properties: separators, comments, continuations, escapes', () => {
    const p = parseJavaProperties('# c\n! c\na=1\nb : 2\nc 3\nd=x\\\n   y\ne=\\u0041\\t\\=\nkey\\ with\\ space=v\nempty\n');
    expect(Object.fromEntries(p)).toEqual({ a: '1', b: '2', c: '3', d: 'xy', e: 'A\t=', 'key with space': 'v', empty: '' });
  });
});

describe('ConfigTransformer', () => {
  const t = new ConfigTransformer([new EnvConfigProvider({ A: 'alpha', B: 'beta' })]);

  test('replaces placeholders of configured providers, several per value, and reports the values', () => {
    const out = t.transform({ 'connection.password': '${env:A}', url: 'x-${env:A}-${env:B}', plain: 'v' });
    expect(out.config).toEqual({ 'connection.password': 'alpha', url: 'x-alpha-beta', plain: 'v' });
    expect(out.resolvedValues.sort()).toEqual(['alpha', 'alpha', 'beta']);
  });

  test('a provider that is not configured leaves the placeholder as written (as Kafka does)', () => {
    expect(t.transform({ q: '${vault:secret/db:pw}' }).config).toEqual({ q: '${vault:secret/db:pw}' });
  });

  test('an unresolvable placeholder names the config key and the placeholder', () => {
    expect(() => t.transform({ 'connection.password': '${env:NOPE}' })).toThrow('Cannot resolve configuration connection.password: ${env:NOPE}: environment variable NOPE is not set on the worker');
  });

  test('restorePlaceholders puts the raw values back into derived configs', () => {
    const raw = { 'connection.password': '${env:A}', topic: 't' };
    expect(ConfigTransformer.restorePlaceholders(raw, { 'connection.password': 'alpha', topic: 't', 'task.id': '0' })).toEqual({ 'connection.password': '${env:A}', topic: 't', 'task.id': '0' });
  });
});
