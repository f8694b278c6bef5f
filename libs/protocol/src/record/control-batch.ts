import { buildBatch } from './batch-builder';
import { BatchHeader, isControl } from './batch-header';
import { decodeBatch } from './batch-decoder';
import { RecordDecodeError, RecordErrorCode } from './errors';
import { KafkaRecord } from './record';

/**
 * Control batches: attributes have the control bit (0x20) set and, for
 * transaction markers, the transactional bit (0x10). A marker batch holds one
 * uncompressed record whose key and value are:
 *
 *   key   (4 bytes):  version int16 (0) | type int16 (0 = ABORT, 1 = COMMIT)
 *   value (6 bytes):  version int16 (0) | coordinatorEpoch int32
 *
 *   commit, coordinatorEpoch 5:  key 00 00 00 01   value 00 00 00 00 00 05
 *
 * Other control types exist (2 LEADER_CHANGE, 3 SNAPSHOT_HEADER, 4 SNAPSHOT_FOOTER, KRaft);
 * parseControlRecord reports their type and leaves the value alone.
 */
export enum ControlRecordType {
  Abort = 0,
  Commit = 1,
  LeaderChange = 2,
  SnapshotHeader = 3,
  SnapshotFooter = 4,
}

export const CONTROL_KEY_SIZE = 4;
export const END_TXN_MARKER_VALUE_SIZE = 6;

export interface TransactionMarker {
  type: ControlRecordType.Abort | ControlRecordType.Commit;
  coordinatorEpoch: number;
}

export interface BuildControlBatchOptions {
  baseOffset: number;
  producerId: number;
  producerEpoch: number;
  type: ControlRecordType.Abort | ControlRecordType.Commit;
  coordinatorEpoch: number;
  /** Marker timestamp (default Date.now()). */
  timestamp?: number;
  partitionLeaderEpoch?: number;
}

export function controlRecordKey(type: ControlRecordType): Buffer {
  const key = Buffer.alloc(CONTROL_KEY_SIZE);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type, 2);
  return key;
}

export function endTxnMarkerValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(END_TXN_MARKER_VALUE_SIZE);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** Builds a transaction marker batch (COMMIT or ABORT) with one control record. */
export function buildControlBatch(options: BuildControlBatchOptions): Buffer {
  return buildBatch({
    baseOffset: options.baseOffset,
    records: [
      {
        key: controlRecordKey(options.type),
        value: endTxnMarkerValue(options.coordinatorEpoch),
        timestamp: options.timestamp,
      },
    ],
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    partitionLeaderEpoch: options.partitionLeaderEpoch,
    transactional: true,
    control: true,
  });
}

export interface ParsedControlRecord {
  /** Key version (0 today; newer versions are read the same way, as Kafka does). */
  version: number;
  type: ControlRecordType;
  /** Set for COMMIT/ABORT markers. */
  marker?: TransactionMarker;
}

/** Parses the key (and for markers the value) of a record from a control batch. */
export function parseControlRecord(record: Pick<KafkaRecord, 'key' | 'value'>): ParsedControlRecord {
  const { key, value } = record;
  if (key === null || key.length < CONTROL_KEY_SIZE) {
    throw new RecordDecodeError(`control record key must be ${CONTROL_KEY_SIZE} bytes, got ${key?.length ?? 'null'}`);
  }
  const version = key.readInt16BE(0);
  if (version < 0) throw new RecordDecodeError(`invalid control record key version ${version}`);
  const type = key.readInt16BE(2) as ControlRecordType;
  if (type !== ControlRecordType.Abort && type !== ControlRecordType.Commit) return { version, type };
  if (value === null || value.length < END_TXN_MARKER_VALUE_SIZE) {
    throw new RecordDecodeError(`transaction marker value must be ${END_TXN_MARKER_VALUE_SIZE} bytes, got ${value?.length ?? 'null'}`);
  }
  const valueVersion = value.readInt16BE(0);
  if (valueVersion < 0) throw new RecordDecodeError(`invalid transaction marker version ${valueVersion}`);
  return { version, type, marker: { type, coordinatorEpoch: value.readInt32BE(2) } };
}

export interface ParsedControlBatch {
  header: BatchHeader;
  size: number;
  records: ParsedControlRecord[];
}

/** Decodes the control batch at `pos` and parses its records. Throws if it is not a control batch. */
export function parseControlBatch(buf: Buffer, pos = 0): ParsedControlBatch {
  const batch = decodeBatch(buf, pos);
  if (!isControl(batch.header.attributes)) {
    throw new RecordDecodeError(`batch at ${pos} is not a control batch`, RecordErrorCode.InvalidRecord);
  }
  return { header: batch.header, size: batch.size, records: batch.records.map(parseControlRecord) };
}
