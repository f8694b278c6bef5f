export { ensureTopic, type TopicSpec } from './ensure-topic';
export { type AbortedTransaction, type IsolationLevel, type ReaderRecord } from './fetched-records';
export { KafkaBasedLog, ReadBackTimeoutError, type KafkaBasedLogOptions, type KafkaBasedLogStartOptions, type LogRecord, type LogWrite, type RecordSender, type WrittenOffsets } from './kafka-based-log';
export { createKafkaClient } from './kafka-client';
export { KafkaConnection } from './kafka-connection';
export { PartitionReader, type PartitionReaderOptions, type ReaderLogger, type RecordsHandler } from './partition-reader';
export { BatchProducer, type BatchProducerOptions, type Delivery } from './batch-producer';
export { openGroupCoordinator } from './group-coordinator-connection';
