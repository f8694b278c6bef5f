import { applyStep, isToleratedFailure, NEEDS_ASYNC, ProcessingContext, type ConnectHeader, type ConsumedRecord, type Converter, type RetryWithToleranceOperator, type SinkRecord, type SinkTask, type TransformChain } from '@millrace/connect-sdk';
import { RawValueSinkRecord } from './raw-value-sink-record';
import type { SinkMessage } from './sink-group-consumer';
import type { TaskMetrics } from '../metrics/task-metrics';

export interface SinkRecordConversionOptions {
  readonly keyConverter: Converter;
  readonly valueConverter: Converter;
  readonly transforms: TransformChain<SinkRecord>;
  /** Runs converters and transforms under errors.tolerance / errors.retry.* (reporters: log, DLQ). */
  readonly operator: RetryWithToleranceOperator;
  readonly metrics?: TaskMetrics;
}

/** Bound once: each use of a package-index import is a getter call under CommonJS (convertFast compares with it twice per record). */
const ASYNC: typeof NEEDS_ASYNC = NEEDS_ASYNC;

/** convertFast could not convert the record: run it through `convert` (the operator). */
export const SLOW: unique symbol = Symbol('slow');

/**
 * A consumed Kafka message -> the SinkRecord the task gets (converters, then transforms),
 * for SinkTaskRunner. `convertFast` is the batch path without promises; `convert` the
 * path under the error-handling operator; undefined = dropped by a transform or skipped
 * after a tolerated failure (counted in metrics.recordsFailed).
 */
export class SinkRecordConversion {
  constructor(private readonly opts: SinkRecordConversionOptions) {}

  /**
   * `convert` without a promise per record: the converters' synchronous paths and the
   * transforms in one try; SLOW when a converter has no synchronous answer now or
   * anything threw — then `convert` runs the record under the error-handling operator
   * from the start (conversion and transforms are pure, so running them again is safe).
   * `rawValues` (see `rawValuesFor`): a non-null value whose Avro schema id is resolved
   * is not decoded; the record carries its bytes (RawValueSinkRecord, decoded on read).
   */
  convertFast(topic: string, partition: number, m: SinkMessage, rawValues = false): SinkRecord | undefined | typeof SLOW {
    const { keyConverter, valueConverter } = this.opts;
    if (!keyConverter.toConnectDataSync || !valueConverter.toConnectDataSync) return SLOW;
    try {
      const key = keyConverter.toConnectDataSync(topic, m.key);
      if (key === ASYNC) return SLOW;
      if (rawValues && m.value !== null && valueConverter.rawAvroSchemaSync) {
        const rawSchema = valueConverter.rawAvroSchemaSync(m.value);
        if (rawSchema !== ASYNC) {
          const timestamp = m.timestamp === undefined || m.timestamp === '' ? null : Number(m.timestamp);
          return new RawValueSinkRecord(topic, partition, Number(m.offset), key.schema, key.value, m.value, rawSchema, timestamp, connectHeaders(m.headers));
        }
      }
      const value = valueConverter.toConnectDataSync(topic, m.value);
      if (value === ASYNC) return SLOW;
      const offset = Number(m.offset);
      let record: SinkRecord | null = {
        topic,
        kafkaPartition: partition,
        kafkaOffset: offset,
        originalTopic: topic,
        originalKafkaPartition: partition,
        originalKafkaOffset: offset,
        keySchema: key.schema,
        key: key.value,
        valueSchema: value.schema,
        value: value.value,
        timestamp: m.timestamp === undefined || m.timestamp === '' ? null : Number(m.timestamp),
        headers: connectHeaders(m.headers),
      };
      for (const step of this.opts.transforms.steps) {
        record = applyStep(step, record);
        if (record === null) return undefined;
      }
      return record;
    } catch {
      return SLOW;
    }
  }

  /**
   * Whether `convertFast` may hand `task` raw Avro values (SinkTask.acceptsRawAvroValues):
   * the task asks for them, no transform would read the value, errors.tolerance is none
   * (nothing is skipped per record) and the value converter can give them.
   */
  rawValuesFor(task: SinkTask): boolean {
    const { valueConverter, transforms, operator } = this.opts;
    return task.acceptsRawAvroValues === true && transforms.steps.length === 0 && !operator.toleratesErrors && valueConverter.rawAvroSchemaSync !== undefined;
  }

  async convert(topic: string, partition: number, m: SinkMessage): Promise<SinkRecord | undefined> {
    const { operator } = this.opts;
    const headers = connectHeaders(m.headers);
    const timestamp = m.timestamp === undefined || m.timestamp === '' ? null : Number(m.timestamp);
    const consumed: ConsumedRecord = { topic, partition, offset: Number(m.offset), timestamp, key: m.key, value: m.value, headers };
    const context = ProcessingContext.forConsumed(consumed);
    const key = await operator.execute('KEY_CONVERTER', () => this.opts.keyConverter.toConnectData(topic, m.key), context, 'key.converter');
    if (isToleratedFailure(key)) return this.skipped();
    const value = await operator.execute('VALUE_CONVERTER', () => this.opts.valueConverter.toConnectData(topic, m.value), context, 'value.converter');
    if (isToleratedFailure(value)) return this.skipped();
    let record: SinkRecord | null = {
      topic,
      kafkaPartition: partition,
      kafkaOffset: Number(m.offset),
      originalTopic: topic,
      originalKafkaPartition: partition,
      originalKafkaOffset: Number(m.offset),
      keySchema: key.schema,
      key: key.value,
      valueSchema: value.schema,
      value: value.value,
      timestamp,
      headers,
    };
    for (const step of this.opts.transforms.steps) {
      const current: SinkRecord = record;
      const out = await operator.execute('TRANSFORMATION', () => applyStep(step, current), context, step.type);
      if (isToleratedFailure(out)) return this.skipped();
      if (out === null) return undefined;
      record = out;
    }
    return record;
  }

  /** A record skipped after a tolerated failure. */
  private skipped(): undefined {
    this.opts.metrics?.recordsFailed(1);
    return undefined;
  }
}

const NO_HEADERS: ConnectHeader[] = [];

export function connectHeaders(headers: SinkMessage['headers']): ConnectHeader[] {
  if (headers === undefined) return NO_HEADERS;
  let any = false;
  for (const _ in headers) {
    any = true;
    break;
  }
  if (!any) return NO_HEADERS;
  const out: ConnectHeader[] = [];
  for (const [key, v] of Object.entries(headers ?? {})) {
    for (const value of Array.isArray(v) ? v : [v]) out.push({ key, value: value ?? null });
  }
  return out;
}
