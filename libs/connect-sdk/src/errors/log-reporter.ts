import type { ConnectorLogger } from '../connector/connector';
import type { ErrorReporter } from './error-reporter';
import type { ProcessingContext } from './processing-context';

export interface LogReporterOptions {
  readonly logger: ConnectorLogger;
  readonly connectorName: string;
  readonly taskId: number;
  /** `errors.log.include.messages`: include keys, values and headers, not only coordinates. */
  readonly includeMessages: boolean;
}

/**
 * Logs each tolerated failure at error level (`errors.log.enable=true`), in Kafka
 * Connect's wording: "Error encountered in task <connector>-<task>. Executing stage
 * '<stage>' with class '<class>', where consumed record is {topic='t', partition=0,
 * offset=5}." plus the error. Record contents appear only with `includeMessages`.
 */
export class LogReporter implements ErrorReporter {
  constructor(private readonly options: LogReporterOptions) {}

  async report(context: ProcessingContext): Promise<void> {
    if (!context.failed) return;
    this.options.logger.error(this.message(context));
  }

  message(context: ProcessingContext): string {
    const { connectorName, taskId } = this.options;
    let text = `Error encountered in task ${connectorName}-${taskId}. Executing stage '${context.stage ?? 'UNKNOWN'}' with class '${context.executingClass ?? 'unknown'}'`;
    const consumed = context.consumedRecord;
    const source = context.sourceRecord;
    if (consumed !== null) {
      text += `, where consumed record is {topic='${consumed.topic}', partition=${consumed.partition}, offset=${consumed.offset}`;
      if (consumed.timestamp !== null) text += `, timestamp=${consumed.timestamp}`;
      if (this.options.includeMessages) {
        text += `, key=${bytesText(consumed.key)}, value=${bytesText(consumed.value)}, headers=[${consumed.headers.map((h) => `${h.key}=${headerText(h.value)}`).join(', ')}]`;
      }
      text += '}';
    } else if (source !== null) {
      text += `, where source record is {topic='${source.topic}', sourcePartition=${safeJson(source.sourcePartition)}, sourceOffset=${safeJson(source.sourceOffset)}`;
      if (this.options.includeMessages) text += `, key=${safeJson(source.key)}, value=${safeJson(source.value)}`;
      text += '}';
    }
    text += '.';
    const error = context.error;
    if (error !== null) text += ` ${error.stack ?? `${error.name}: ${error.message}`}`;
    return text;
  }
}

function bytesText(value: Buffer | null): string {
  return value === null ? 'null' : JSON.stringify(value.toString('utf8'));
}

function headerText(value: Buffer | string | null): string {
  if (value === null) return 'null';
  return JSON.stringify(typeof value === 'string' ? value : value.toString('utf8'));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'undefined';
  } catch {
    return String(value);
  }
}
