import type { BrokerConfig } from './broker-config';

/**
 * The broker configs DescribeConfigs/AlterConfigs know by Kafka's names.
 *
 * Dynamic: the broker-wide defaults of topic configs, under the broker names Kafka gives
 * them (its DynamicLogConfig set: `log.retention.ms` is the default of the topic config
 * `retention.ms`, ...). The broker honours them at run time: every topic without an
 * override of its own takes the new value at once. `log.message.format.version` is among
 * them as the no-op it is in Kafka 3.x (Kafka itself keeps it static).
 *
 * Static: everything else the broker reads from its environment at start (MILLRACE_*);
 * they are described read-only and AlterConfigs refuses them ("Cannot update these
 * configs dynamically").
 */
export const BROKER_LOG_SYNONYMS: Readonly<Record<string, string>> = {
  'log.segment.bytes': 'segment.bytes',
  'log.roll.ms': 'segment.ms',
  'log.roll.jitter.ms': 'segment.jitter.ms',
  'log.index.size.max.bytes': 'segment.index.bytes',
  'log.index.interval.bytes': 'index.interval.bytes',
  'log.retention.ms': 'retention.ms',
  'log.retention.bytes': 'retention.bytes',
  'log.cleanup.policy': 'cleanup.policy',
  'log.cleaner.delete.retention.ms': 'delete.retention.ms',
  'log.cleaner.min.compaction.lag.ms': 'min.compaction.lag.ms',
  'log.cleaner.max.compaction.lag.ms': 'max.compaction.lag.ms',
  'log.cleaner.min.cleanable.ratio': 'min.cleanable.dirty.ratio',
  'log.flush.interval.messages': 'flush.messages',
  'log.flush.interval.ms': 'flush.ms',
  'log.segment.delete.delay.ms': 'file.delete.delay.ms',
  'message.max.bytes': 'max.message.bytes',
  'log.message.timestamp.type': 'message.timestamp.type',
  'log.message.timestamp.before.max.ms': 'message.timestamp.before.max.ms',
  'log.message.timestamp.after.max.ms': 'message.timestamp.after.max.ms',
  'compression.type': 'compression.type',
  'log.preallocate': 'preallocate',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
  'log.message.format.version': 'message.format.version',
};

/** The broker name of a topic config's broker-wide default (`retention.ms` -> `log.retention.ms`). */
export const TOPIC_TO_BROKER_NAME: ReadonlyMap<string, string> = new Map(Object.entries(BROKER_LOG_SYNONYMS).map(([b, t]) => [t, b]));

/** The static broker configs and their values, as read at start. */
export function staticBrokerConfigs(c: BrokerConfig): Record<string, string> {
  return {
    'broker.id': String(c.nodeId),
    'node.id': String(c.nodeId),
    'auto.create.topics.enable': String(c.autoCreateTopicsEnable),
    'num.partitions': String(c.numPartitions),
    'default.replication.factor': String(c.defaultReplicationFactor),
    'offsets.topic.num.partitions': String(c.offsetsTopicNumPartitions),
    'offsets.topic.replication.factor': String(c.offsetsTopicReplicationFactor),
    'offsets.retention.minutes': String(c.offsetsRetentionMinutes),
    'group.initial.rebalance.delay.ms': String(c.groupInitialRebalanceDelayMs),
    'group.min.session.timeout.ms': String(c.groupMinSessionTimeoutMs),
    'group.max.session.timeout.ms': String(c.groupMaxSessionTimeoutMs),
    'socket.request.max.bytes': String(c.socketRequestMaxBytes),
    'log.retention.check.interval.ms': String(c.logRetentionCheckIntervalMs),
    'log.cleaner.backoff.ms': String(c.logCleanerBackoffMs),
    'log.dirs': c.dataDir,
  };
}
