import { ConfigError, loadBrokerConfig } from './broker-config';

describe('loadBrokerConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadBrokerConfig({});
    expect(c).toMatchObject({ dataDir: './data', host: '127.0.0.1', kafkaPort: 9092, httpPort: 8081, nodeId: 1 });
    expect(c.socketRequestMaxBytes).toBe(100 * 1024 * 1024);
    expect(c.autoCreateTopicsEnable).toBe(true);
  });

  it('reads overrides and log defaults', () => {
    const c = loadBrokerConfig({ MILLRACE_KAFKA_PORT: '19092', MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false', MILLRACE_LOG_SEGMENT_BYTES: '1048576' });
    expect(c.kafkaPort).toBe(19092);
    expect(c.autoCreateTopicsEnable).toBe(false);
    expect(c.logDefaults).toEqual({ 'segment.bytes': '1048576' });
  });

  it('names every bad variable and its value', () => {
    let error: unknown;
    try {
      loadBrokerConfig({ MILLRACE_KAFKA_PORT: 'abc', MILLRACE_NODE_ID: '-4' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('MILLRACE_KAFKA_PORT="abc"');
    expect(message).toContain('MILLRACE_NODE_ID="-4"');
  });

  it('names a bad broker-wide topic default', () => {
    expect(() => loadBrokerConfig({ MILLRACE_LOG_CLEANUP_POLICY: 'shred' })).toThrow(/MILLRACE_LOG_CLEANUP_POLICY="shred"/);
  });

  it('rejects the same port for Kafka and HTTP', () => {
    expect(() => loadBrokerConfig({ MILLRACE_KAFKA_PORT: '9000', MILLRACE_HTTP_PORT: '9000' })).toThrow(/different ports/);
  });
});
