/** Public surface of the group coordinator module. */
export { GroupCoordinator, type CoordinatorStatus, type GroupCoordinatorLogger } from './group-coordinator';
export * from './group-coordinator.types';
export { type GroupCoordinatorConfig, DEFAULT_GROUP_COORDINATOR_CONFIG, resolveGroupCoordinatorConfig } from './group-coordinator.config';
export { type GroupLog, type GroupLogRecord } from './group-log';
export { type CoordinatorClock, type ScheduledTask, systemClock } from './coordinator-clock';
export { ManualClock, flushPromises } from './manual-clock';
export { KafkaErrorCode } from './kafka-error-codes';
export { partitionForGroup, javaStringHashCode, kafkaAbs } from './group-partitioner';
export {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  listAssignedPartitions,
  type ConsumerAssignment,
  type ConsumerSubscription,
  type TopicPartitions,
} from './consumer-protocol';
export * from './consumer-offsets-format';
export { MalformedRecordError } from './binary-codec';
