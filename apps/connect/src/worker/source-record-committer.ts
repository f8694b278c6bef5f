import type { ProducedRecord } from '@millrace/kafka-log';
import type { SourceOffsetEntry } from '../storage/offset-store';

/** A converted source record ready for Kafka. */
export type OutgoingRecord = ProducedRecord;

/**
 * Makes one batch of a source task durable: its records in Kafka and the source
 * offsets they reached in connect-offsets.
 *
 * Contract: when `commit` resolves, every record is acknowledged by Kafka (acks=-1) and
 * the offsets are stored, so the task may `ack` them; a record is never stored behind
 * an offset that was not committed after it (records first, offsets second). The
 * exactly-once implementation (TransactionalCommitter, the default on a cluster with
 * transactions) writes both in ONE Kafka transaction (transactional id per task); the
 * non-transactional one (exactly-once disabled) can duplicate the last batch after a
 * crash between the two writes.
 */
export interface SourceRecordCommitter {
  open(): Promise<void>;
  commit(records: readonly OutgoingRecord[], offsets: readonly SourceOffsetEntry[]): Promise<void>;
  close(): Promise<void>;
}
