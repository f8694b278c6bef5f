export { KafkaConnection } from './kafka-connection';
export { PartitionReader, type PartitionReaderOptions, type ReaderRecord, type ReaderLogger } from './partition-reader';
