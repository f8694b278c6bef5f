import type { ConnectHeader } from '../record/connect-record';
import type { ErrorReporter } from './error-reporter';
import type { ProcessingContext } from './processing-context';

/** Kafka Connect's dead letter queue context header names (DeadLetterQueueReporter). */
export const DLQ_HEADER_PREFIX = '__connect.errors.';
export const DLQ_HEADER_ORIG_TOPIC = '__connect.errors.topic';
export const DLQ_HEADER_ORIG_PARTITION = '__connect.errors.partition';
export const DLQ_HEADER_ORIG_OFFSET = '__connect.errors.offset';
export const DLQ_HEADER_CONNECTOR_NAME = '__connect.errors.connector.name';
export const DLQ_HEADER_TASK_ID = '__connect.errors.task.id';
export const DLQ_HEADER_STAGE = '__connect.errors.stage';
export const DLQ_HEADER_EXECUTING_CLASS = '__connect.errors.class.name';
export const DLQ_HEADER_EXCEPTION = '__connect.errors.exception.class.name';
export const DLQ_HEADER_EXCEPTION_MESSAGE = '__connect.errors.exception.message';
export const DLQ_HEADER_EXCEPTION_STACK_TRACE = '__connect.errors.exception.stacktrace';

/**
 * Produces one record to the dead letter queue topic. The runtime supplies it (a kafkajs
 * producer with acks=all); the returned promise settles when the broker has the record.
 */
export type DeadLetterQueueSend = (
  topic: string,
  key: Buffer | null,
  value: Buffer | null,
  headers: readonly ConnectHeader[],
) => Promise<void>;

export interface DeadLetterQueueReporterOptions {
  /** `errors.deadletterqueue.topic.name`. */
  readonly topic: string;
  /** `errors.deadletterqueue.context.headers.enable`. */
  readonly contextHeadersEnabled: boolean;
  readonly connectorName: string;
  readonly taskId: number;
  readonly send: DeadLetterQueueSend;
}

/**
 * Writes failed sink records to a dead letter queue topic (sink connectors only, as in
 * Kafka Connect). The record's original key, value and headers are sent unchanged; with
 * context headers enabled the `__connect.errors.*` headers are appended (values are
 * UTF-8 strings as bytes): original topic, partition and offset, connector name, task
 * id, stage, executing class, and — when an error is set — the error's class name,
 * message and stack trace. Contexts without a consumed record (source tasks) are ignored.
 */
export class DeadLetterQueueReporter implements ErrorReporter {
  constructor(private readonly options: DeadLetterQueueReporterOptions) {}

  async report(context: ProcessingContext): Promise<void> {
    const consumed = context.consumedRecord;
    if (consumed === null || this.options.topic === '') return;
    const headers: ConnectHeader[] = [...consumed.headers];
    if (this.options.contextHeadersEnabled) headers.push(...this.contextHeaders(context));
    await this.options.send(this.options.topic, consumed.key, consumed.value, headers);
  }

  /** The `__connect.errors.*` headers for a failed consumed record. */
  contextHeaders(context: ProcessingContext): ConnectHeader[] {
    const consumed = context.consumedRecord;
    const headers: ConnectHeader[] = [];
    const add = (key: string, value: string): void => {
      headers.push({ key, value: Buffer.from(value, 'utf8') });
    };
    if (consumed !== null) {
      add(DLQ_HEADER_ORIG_TOPIC, consumed.topic);
      add(DLQ_HEADER_ORIG_PARTITION, String(consumed.partition));
      add(DLQ_HEADER_ORIG_OFFSET, String(consumed.offset));
    }
    add(DLQ_HEADER_CONNECTOR_NAME, this.options.connectorName);
    add(DLQ_HEADER_TASK_ID, String(this.options.taskId));
    add(DLQ_HEADER_STAGE, context.stage ?? '');
    add(DLQ_HEADER_EXECUTING_CLASS, context.executingClass ?? '');
    const error = context.error;
    if (error !== null) {
      add(DLQ_HEADER_EXCEPTION, error.name);
      add(DLQ_HEADER_EXCEPTION_MESSAGE, error.message);
      add(DLQ_HEADER_EXCEPTION_STACK_TRACE, stackTraceOf(error));
    }
    return headers;
  }
}

/** The error's stack, followed by its causes' stacks ("Caused by: ..."), as Java prints them. */
function stackTraceOf(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    const text = current.stack ?? `${current.name}: ${current.message}`;
    parts.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current.cause;
  }
  return parts.join('\n');
}
