import { ConfigError, loadConnectConfig } from './connect-config';

describe('loadConnectConfig', () => {
  test('defaults work on one machine', () => {
    const c = loadConnectConfig({});
    expect(c.port).toBe(8083);
    expect(c.bootstrap).toEqual(['127.0.0.1:9092']);
    expect(c.registryUrl).toBe('http://127.0.0.1:8081');
    expect(c.groupId).toBe('connect-cluster');
    expect(c.workerId).toBe('127.0.0.1:8083');
    expect(c.testPlugins).toBe(false);
    expect(c.configTopic).toBe('connect-configs');
  });

  test('group timings and the advertised URL have Kafka Connect defaults and can be set', () => {
    const d = loadConnectConfig({});
    expect([d.sessionTimeoutMs, d.heartbeatIntervalMs, d.rebalanceTimeoutMs, d.advertisedUrl]).toEqual([10_000, 3_000, 60_000, 'http://127.0.0.1:8083']);
    const c = loadConnectConfig({ MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '6000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '500', MILLRACE_CONNECT_ADVERTISED_URL: 'http://w1:9000/' });
    expect([c.sessionTimeoutMs, c.heartbeatIntervalMs, c.advertisedUrl]).toEqual([6000, 500, 'http://w1:9000']);
    expect(() => loadConnectConfig({ MILLRACE_CONNECT_SESSION_TIMEOUT_MS: '6000', MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS: '6000' })).toThrow(/MILLRACE_CONNECT_HEARTBEAT_INTERVAL_MS/);
  });

  test('worker id follows host and port unless set', () => {
    expect(loadConnectConfig({ MILLRACE_HOST: 'h', MILLRACE_CONNECT_PORT: '9000' }).workerId).toBe('h:9000');
    expect(loadConnectConfig({ MILLRACE_CONNECT_WORKER_ID: 'w1' }).workerId).toBe('w1');
  });

  test.each([
    ['MILLRACE_CONNECT_PORT', 'abc'],
    ['MILLRACE_CONNECT_PORT', '70000'],
    ['MILLRACE_BOOTSTRAP', 'nohost'],
    ['MILLRACE_REGISTRY_URL', 'not a url'],
    ['MILLRACE_CONNECT_GROUP_ID', 'bad group'],
    ['MILLRACE_CONNECT_TEST_PLUGINS', 'yes'],
    ['MILLRACE_CONNECT_SESSION_TIMEOUT_MS', '10'],
    ['MILLRACE_CONNECT_ADVERTISED_URL', 'ftp://x'],
  ])('%s=%s is rejected with a message naming it', (name, value) => {
    let error: unknown;
    try {
      loadConnectConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
  });

  test('MILLRACE_REGISTRY_URL takes a comma-separated list (the converters fail over along it)', () => {
    expect(loadConnectConfig({ MILLRACE_REGISTRY_URL: 'http://a:8081, http://b:8081' }).registryUrl).toBe('http://a:8081,http://b:8081');
    expect(() => loadConnectConfig({ MILLRACE_REGISTRY_URL: 'http://a:8081,nope' })).toThrow(/MILLRACE_REGISTRY_URL.*comma-separated list/);
  });

  test('storage replication factors: unset = min(3, live brokers) at creation, -1 for the broker default, 0 refused', () => {
    expect(loadConnectConfig({}).storageReplicationFactors).toEqual({ config: undefined, offset: undefined, status: undefined });
    const c = loadConnectConfig({ MILLRACE_CONNECT_CONFIG_REPLICATION_FACTOR: '-1', MILLRACE_CONNECT_OFFSET_REPLICATION_FACTOR: '1', MILLRACE_CONNECT_STATUS_REPLICATION_FACTOR: '5' });
    expect(c.storageReplicationFactors).toEqual({ config: -1, offset: 1, status: 5 });
    expect(() => loadConnectConfig({ MILLRACE_CONNECT_STATUS_REPLICATION_FACTOR: '0' })).toThrow(/MILLRACE_CONNECT_STATUS_REPLICATION_FACTOR.*-1 for the broker default/);
  });

  test('storage topics must differ', () => {
    expect(() => loadConnectConfig({ MILLRACE_CONNECT_STATUS_TOPIC: 'connect-configs' })).toThrow(ConfigError);
  });

  test('plugin modules: named files are resolved, a missing one stops start-up naming the variable', () => {
    const here = __filename;
    expect(loadConnectConfig({ MILLRACE_CONNECT_PLUGIN_MODULES: ` ${here} ,` }).pluginModules).toEqual([here]);
    expect(loadConnectConfig({}).pluginModules).toEqual([]);
    expect(() => loadConnectConfig({ MILLRACE_CONNECT_PLUGIN_MODULES: '/no/such/module.js' })).toThrow(/MILLRACE_CONNECT_PLUGIN_MODULES.*cannot find module \/no\/such\/module.js/);
    expect(() => loadConnectConfig({ MILLRACE_CONNECT_TEST_PLUGINS: 'true' })).toThrow(/needs MILLRACE_CONNECT_PLUGIN_MODULES/);
  });

  test('config providers: all three by default, a subset, none; an unknown one is named', () => {
    expect(loadConnectConfig({}).configProviders).toEqual(['env', 'file', 'directory']);
    expect(loadConnectConfig({ MILLRACE_CONNECT_CONFIG_PROVIDERS: 'file, env' }).configProviders).toEqual(['file', 'env']);
    expect(loadConnectConfig({ MILLRACE_CONNECT_CONFIG_PROVIDERS: 'none' }).configProviders).toEqual([]);
    expect(() => loadConnectConfig({ MILLRACE_CONNECT_CONFIG_PROVIDERS: 'env,vault' })).toThrow('unknown config provider(s) vault');
  });

  test('MILLRACE_CONNECT_SECRETS_KEY: 32 bytes base64 or hex; a bad one says what to fix without echoing it', () => {
    expect(loadConnectConfig({}).secretsKey).toBeNull();
    expect(loadConnectConfig({ MILLRACE_CONNECT_SECRETS_KEY: 'ab'.repeat(32) }).secretsKey?.length).toBe(32);
    expect(loadConnectConfig({ MILLRACE_CONNECT_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') }).secretsKey?.equals(Buffer.alloc(32, 7))).toBe(true);
    let message = '';
    try {
      loadConnectConfig({ MILLRACE_CONNECT_SECRETS_KEY: 'my-weak-passphrase' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('MILLRACE_CONNECT_SECRETS_KEY=(hidden, 18 characters): expected 32 random bytes');
    expect(message).not.toContain('my-weak-passphrase');
  });
});
