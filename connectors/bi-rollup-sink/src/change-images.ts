import type { ConnectSchema, SinkRecord } from '@millrace/connect-sdk';
import type { Row } from './row-values';

/**
 * The row images of a change record, for `-f(before) + f(after)`:
 *
 * - a Debezium envelope `{before, after, op, ...}`: op c/r → after; u → before and after;
 *   d → before; t (truncate) and m (message) are refused / skipped;
 * - a tombstone (null value) → nothing (the delete before it carried the retraction);
 * - any other struct (a flat record) → an insert of the value (facts appended, e.g.
 *   machine events; a flat record cannot retract since it has no before image).
 *
 * Updates and deletes need the full old row: capture the source table with REPLICA
 * IDENTITY FULL (Postgres) or binlog_row_image=FULL (MySQL). An update or delete
 * without a before image is refused (ChangeRecordError), never guessed.
 */
export class ChangeRecordError extends Error {
  override readonly name = 'ChangeRecordError';
}

export interface ChangeImages {
  readonly before: Row | null;
  readonly after: Row | null;
  /** Schema of the row struct (the envelope's before/after field), null when schemaless. */
  readonly rowSchema: ConnectSchema | null;
}

const NONE: ChangeImages = { before: null, after: null, rowSchema: null };

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v) && !(v instanceof Date);

export function changeImages(record: SinkRecord): ChangeImages {
  const value = record.value;
  if (value === null || value === undefined) return NONE;
  if (!isRow(value)) throw new ChangeRecordError(`${where(record)}: the value is not a row (a struct or JSON object)`);
  const op = value['op'];
  const envelope = typeof op === 'string' && 'after' in value && 'before' in value;
  if (!envelope) return { before: null, after: value, rowSchema: record.valueSchema };
  const schema = record.valueSchema;
  const rowSchema = schema?.fields?.find((f) => f.name === 'after')?.schema ?? schema?.fields?.find((f) => f.name === 'before')?.schema ?? null;
  const before = isRow(value['before']) ? value['before'] : null;
  const after = isRow(value['after']) ? value['after'] : null;
  switch (op) {
    case 'c':
    case 'r':
      if (!after) throw new ChangeRecordError(`${where(record)}: op=${op} without an after image`);
      return { before: null, after, rowSchema };
    case 'u':
      if (!after) throw new ChangeRecordError(`${where(record)}: op=u without an after image`);
      if (!before) throw new ChangeRecordError(`${where(record)}: an update without a before image cannot be retracted; capture the table with REPLICA IDENTITY FULL (Postgres) or binlog_row_image=FULL (MySQL)`);
      return { before, after, rowSchema };
    case 'd':
      if (!before) throw new ChangeRecordError(`${where(record)}: a delete without a before image cannot be retracted; capture the table with REPLICA IDENTITY FULL (Postgres) or binlog_row_image=FULL (MySQL)`);
      return { before, after: null, rowSchema };
    case 'm':
      return NONE;
    default:
      throw new ChangeRecordError(`${where(record)}: op=${op} is not supported (a truncate cannot be folded into rollups: rebuild them)`);
  }
}

function where(r: SinkRecord): string {
  return `record ${r.originalTopic}-${r.originalKafkaPartition}@${r.originalKafkaOffset}`;
}
