import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { loadPluginModules, PluginModuleError } from './plugin-modules';

describe('loadPluginModules', () => {
  let dir: string;
  const write = (name: string, body: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, body);
    return file;
  };
  const plugin = (name: string, aliases: string[] = []): string =>
    `{ name: ${JSON.stringify(name)}, aliases: ${JSON.stringify(aliases)}, type: 'source', version: '1', configDef: { keys: [] }, createConnector() {}, createTask() {} }`;
  const builtIn = [{ name: 'jdbc-source', aliases: ['io.confluent.connect.jdbc.JdbcSourceConnector'] }] as unknown as ConnectorPlugin[];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-plugin-modules-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('registers the exported plugins of each module, in order', () => {
    const a = write('a.js', `exports.connectorPlugins = [${plugin('A')}, ${plugin('B', ['b'])}];`);
    const c = write('c.js', `exports.connectorPlugins = [${plugin('C')}];`);
    expect(loadPluginModules([a, c], builtIn).map((p) => p.name)).toEqual(['A', 'B', 'C']);
    expect(loadPluginModules([], builtIn)).toEqual([]);
  });

  it.each([
    ['throws on load', 'throw new Error("boom");', /could not be loaded: boom/],
    ['exports nothing', 'exports.other = 1;', /must export connectorPlugins/],
    ['exports a non-plugin', 'exports.connectorPlugins = [{ name: "x" }];', /must export connectorPlugins/],
    ['reuses a built-in alias', `exports.connectorPlugins = [${plugin('Mine', ['io.confluent.connect.jdbc.JdbcSourceConnector'])}];`, /io.confluent.connect.jdbc.JdbcSourceConnector is already taken/],
  ])('stops start-up naming the module when it %s', (_what, body, message) => {
    const file = write(`bad-${Math.random().toString(36).slice(2)}.js`, body);
    expect(() => loadPluginModules([file], builtIn)).toThrow(PluginModuleError);
    expect(() => loadPluginModules([file], builtIn)).toThrow(message);
    expect(() => loadPluginModules([file], builtIn)).toThrow(file);
  });
});
