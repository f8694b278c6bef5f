/**
 * Schema registry settings, read from the environment by the broker's one config loader
 * (loadBrokerConfig, which reports every bad variable at once and exits 2) and injected
 * into the registry as REGISTRY_CONFIG.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | `MILLRACE_REGISTRY_BOOTSTRAP` | this broker's Kafka listener | Kafka bootstrap servers holding `_schemas` (another cluster), `host:port[,host:port...]` |
 * | `MILLRACE_REGISTRY_TOPIC` | `_schemas` | the store topic (Confluent's kafkastore.topic) |
 * | `MILLRACE_REGISTRY_TOPIC_REPLICATION_FACTOR` | `3` | replicas of the store topic when the registry creates it (kafkastore.topic.replication.factor), capped at the live brokers; with more than one, min.insync.replicas = 2 |
 * | `MILLRACE_REGISTRY_WRITE_TIMEOUT_MS` | `10000` | how long a write may take until the reader has applied it (kafkastore.timeout.ms), >= 100 |
 * | `MILLRACE_REGISTRY_READY_TIMEOUT_MS` | `30000` | how long a REST request waits for the store to finish loading before 50002, >= 100 |
 */
export interface RegistryConfig {
  bootstrap: string | undefined;
  topic: string;
  topicReplicationFactor: number;
  /**
   * How long the store waits at start-up for `topicReplicationFactor` live brokers before
   * creating the topic with fewer replicas (a cluster's brokers start together; the first
   * would otherwise create `_schemas` with one replica). 0 on the single embedded broker.
   */
  awaitBrokersMs: number;
  writeTimeoutMs: number;
  readyTimeoutMs: number;
}

/** Nest injection token for the registry's part of the BrokerConfig. */
export const REGISTRY_CONFIG = Symbol('REGISTRY_CONFIG');
