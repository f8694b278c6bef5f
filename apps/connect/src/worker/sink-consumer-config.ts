/**
 * The sink consumer's settings, with Kafka Connect's per-connector overrides
 * (`consumer.override.<key>` in the connector config; the worker's
 * connector.client.config.override.policy is Kafka's default `All`).
 *
 * Supported keys (milliseconds, positive integers):
 * - `session.timeout.ms` (default 30000) and `heartbeat.interval.ms` (default 3000, less
 *   than the session timeout): the group session, as Kafka's consumer;
 * - `max.poll.interval.ms` (default 60000): the rebalance timeout the consumer announces
 *   (what it means for Kafka's JoinGroup);
 * - `metadata.max.age.ms` (default 5000 here, Kafka's is 300000): how often the task
 *   checks which of its topics exist, to pick up missing topics and new `topics.regex`
 *   matches (sink-task-runner.ts).
 * Other `consumer.override.*` keys are listed in `ignored` (the caller logs them). A bad
 * value throws an Error naming the key.
 */
export interface SinkConsumerConfig {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly metadataMaxAgeMs: number;
  /** Override keys this runtime does not apply. */
  readonly ignored: readonly string[];
}

const PREFIX = 'consumer.override.';

const DEFAULTS = {
  'session.timeout.ms': 30_000,
  'heartbeat.interval.ms': 3_000,
  'max.poll.interval.ms': 60_000,
  'metadata.max.age.ms': 5_000,
} as const;

type Key = keyof typeof DEFAULTS;

export function sinkConsumerConfig(connectorConfig: Readonly<Record<string, string | undefined>>): SinkConsumerConfig {
  const values: Record<Key, number> = { ...DEFAULTS };
  const ignored: string[] = [];
  for (const [name, raw] of Object.entries(connectorConfig)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const key = name.slice(PREFIX.length);
    if (!(key in DEFAULTS)) {
      ignored.push(name);
      continue;
    }
    const value = Number(raw.trim());
    if (raw.trim() === '' || !Number.isSafeInteger(value) || value <= 0) throw new Error(`${name}: must be a positive integer (milliseconds), got "${raw}"`);
    values[key as Key] = value;
  }
  if (values['heartbeat.interval.ms'] >= values['session.timeout.ms']) {
    throw new Error(`${PREFIX}heartbeat.interval.ms (${values['heartbeat.interval.ms']}) must be less than session.timeout.ms (${values['session.timeout.ms']})`);
  }
  return {
    sessionTimeoutMs: values['session.timeout.ms'],
    heartbeatIntervalMs: values['heartbeat.interval.ms'],
    rebalanceTimeoutMs: values['max.poll.interval.ms'],
    metadataMaxAgeMs: values['metadata.max.age.ms'],
    ignored,
  };
}
