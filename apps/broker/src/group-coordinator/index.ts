/**
 * Public surface of the group coordinator module. The consumer protocol, the Kafka error
 * codes and the `__consumer_offsets` record layouts come from `@millrace/protocol`; test
 * support (ManualClock, FakeGroupLog) is in ./testing, which only specs import.
 */
export { GroupCoordinator, type CoordinatorStatus, type GroupCoordinatorLogger } from './group-coordinator';
export * from './group-coordinator.types';
export { type GroupCoordinatorConfig, DEFAULT_GROUP_COORDINATOR_CONFIG, resolveGroupCoordinatorConfig } from './group-coordinator.config';
export { type GroupLog, type GroupLogRecord } from './group-log';
export { type CoordinatorClock, type ScheduledTask, systemClock } from './coordinator-clock';
export { partitionForGroup, javaStringHashCode, kafkaAbs } from './group-partitioner';
export * from './consumer-offsets-format';
export { type PendingTransactionalOffsets, NO_PENDING_TRANSACTIONAL_OFFSETS } from './pending-transactional-offsets';
export { PartitionOwnership } from './partition-ownership';
