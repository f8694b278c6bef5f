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

  it('is the single embedded broker without MILLRACE_ETCD_ENDPOINTS, advertising its listener', () => {
    const c = loadBrokerConfig({ MILLRACE_HOST: '0.0.0.0', MILLRACE_KAFKA_PORT: '19092', MILLRACE_HTTP_PORT: '18081' });
    expect(c.cluster).toBeNull();
    expect([c.advertisedHost, c.advertisedPort, c.advertisedHttpPort, c.rack]).toEqual(['0.0.0.0', 19092, 18081, null]);
  });

  it('reads cluster mode settings', () => {
    const c = loadBrokerConfig({
      MILLRACE_ETCD_ENDPOINTS: 'http://10.0.0.1:2379, http://10.0.0.2:2379',
      MILLRACE_CLUSTER_ID: 'plant-a',
      MILLRACE_ADVERTISED_HOST: 'broker-1.plant',
      MILLRACE_ADVERTISED_PORT: '29092',
      MILLRACE_ADVERTISED_HTTP_PORT: '28081',
      MILLRACE_RACK: 'hall-2',
    });
    expect(c.cluster).toEqual({ etcdEndpoints: ['http://10.0.0.1:2379', 'http://10.0.0.2:2379'], clusterName: 'plant-a', sessionTimeoutMs: 9000, replicaLagTimeMaxMs: 30000, replicaFetchWaitMaxMs: 500, numReplicaFetchers: 8, leaderImbalanceCheckIntervalMs: 300000 });
    expect([c.advertisedHost, c.advertisedPort, c.advertisedHttpPort, c.rack]).toEqual(['broker-1.plant', 29092, 28081, 'hall-2']);
    expect(() => loadBrokerConfig({ MILLRACE_ADVERTISED_HTTP_PORT: '70000' })).toThrow(/MILLRACE_ADVERTISED_HTTP_PORT/);
  });

  it('names bad cluster settings and says what it expects', () => {
    expect(() => loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: '10.0.0.1:2379' })).toThrow(/MILLRACE_ETCD_ENDPOINTS="10.0.0.1:2379": expected comma-separated etcd client URLs like http:\/\/127.0.0.1:2379/);
    expect(() => loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_CLUSTER_ID: 'a/b' })).toThrow(/MILLRACE_CLUSTER_ID="a\/b": expected letters, digits/);
    expect(() => loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10' })).toThrow(/MILLRACE_REPLICA_LAG_TIME_MAX_MS/);
    expect(() => loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_REPLICA_LAG_TIME_MAX_MS: '3000', MILLRACE_REPLICA_FETCH_WAIT_MAX_MS: '5000' })).toThrow(
      /MILLRACE_REPLICA_FETCH_WAIT_MAX_MS \(5000\) must not exceed MILLRACE_REPLICA_LAG_TIME_MAX_MS \(3000\)/,
    );
    expect(loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_REPLICA_LAG_TIME_MAX_MS: '10000', MILLRACE_REPLICA_FETCH_WAIT_MAX_MS: '5000' }).cluster?.replicaFetchWaitMaxMs).toBe(5000);
    expect(() => loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_NUM_REPLICA_FETCHERS: '0' })).toThrow(/MILLRACE_NUM_REPLICA_FETCHERS/);
    expect(loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_NUM_REPLICA_FETCHERS: '1' }).cluster?.numReplicaFetchers).toBe(1);
  });

  it('rejects the same port for Kafka and HTTP', () => {
    expect(() => loadBrokerConfig({ MILLRACE_KAFKA_PORT: '9000', MILLRACE_HTTP_PORT: '9000' })).toThrow(/different ports/);
  });
});

describe('loadBrokerConfig: schema registry settings', () => {
  it('gives the registry defaults for an empty environment', () => {
    expect(loadBrokerConfig({}).registry).toEqual({ bootstrap: undefined, topic: '_schemas', topicReplicationFactor: 3, awaitBrokersMs: 0, writeTimeoutMs: 10_000, readyTimeoutMs: 30_000 });
  });

  it('in a cluster, waits two broker session timeouts for enough brokers before creating _schemas', () => {
    const c = loadBrokerConfig({ MILLRACE_ETCD_ENDPOINTS: 'http://e:2379', MILLRACE_BROKER_SESSION_TIMEOUT_MS: '4000', MILLRACE_REGISTRY_TOPIC_REPLICATION_FACTOR: '2' });
    expect(c.registry).toMatchObject({ topicReplicationFactor: 2, awaitBrokersMs: 8000 });
    expect(() => loadBrokerConfig({ MILLRACE_REGISTRY_TOPIC_REPLICATION_FACTOR: '0' })).toThrow(/MILLRACE_REGISTRY_TOPIC_REPLICATION_FACTOR/);
  });

  it('accepts a default.replication.factor above 1 (a cluster)', () => {
    expect(loadBrokerConfig({ MILLRACE_DEFAULT_REPLICATION_FACTOR: '3' }).defaultReplicationFactor).toBe(3);
  });

  it('reads registry overrides', () => {
    const c = loadBrokerConfig({ MILLRACE_REGISTRY_BOOTSTRAP: 'a:9092,b:9093', MILLRACE_REGISTRY_TOPIC: 'schemas-2', MILLRACE_REGISTRY_WRITE_TIMEOUT_MS: '500' });
    expect(c.registry).toMatchObject({ bootstrap: 'a:9092,b:9093', topic: 'schemas-2', writeTimeoutMs: 500 });
  });

  it('reports bad registry variables together with the broker ones', () => {
    let error: unknown;
    try {
      loadBrokerConfig({ MILLRACE_KAFKA_PORT: 'abc', MILLRACE_REGISTRY_BOOTSTRAP: 'no-port', MILLRACE_REGISTRY_TOPIC: 'bad topic', MILLRACE_REGISTRY_READY_TIMEOUT_MS: '5' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(4);
    const message = (error as Error).message;
    expect(message).toContain('MILLRACE_KAFKA_PORT="abc"');
    expect(message).toContain('MILLRACE_REGISTRY_BOOTSTRAP="no-port": expected host:port[,host:port...]');
    expect(message).toContain('MILLRACE_REGISTRY_TOPIC="bad topic": expected a Kafka topic name');
    expect(message).toContain('MILLRACE_REGISTRY_READY_TIMEOUT_MS="5"');
  });
});
