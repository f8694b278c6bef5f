import type { ConnectorLogger, ConnectorType } from '../connector/connector';
import { DeadLetterQueueReporter, type DeadLetterQueueSend } from './dead-letter-queue-reporter';
import type { ErrorHandlingConfig } from './error-handling-config';
import type { ErrorReporter } from './error-reporter';
import { LogReporter } from './log-reporter';

export interface ErrorReportersContext {
  readonly connectorName: string;
  readonly taskId: number;
  readonly connectorType: ConnectorType;
  readonly logger: ConnectorLogger;
  /** Required for a sink with a dead letter queue topic configured. */
  readonly send?: DeadLetterQueueSend;
}

/**
 * The reporters a task's `errors.*` config asks for, in Kafka Connect's order: the log
 * reporter (`errors.log.enable`), then the dead letter queue (sinks with
 * `errors.deadletterqueue.topic.name` set; ignored for sources, as in Kafka Connect).
 * Throws when a sink needs a dead letter queue but no `send` was supplied.
 */
export function createErrorReporters(config: ErrorHandlingConfig, context: ErrorReportersContext): ErrorReporter[] {
  const reporters: ErrorReporter[] = [];
  if (config.logEnable) {
    reporters.push(new LogReporter({ logger: context.logger, connectorName: context.connectorName, taskId: context.taskId, includeMessages: config.logIncludeMessages }));
  }
  if (context.connectorType === 'sink' && config.deadLetterQueueTopic !== '') {
    if (context.send === undefined) throw new Error(`A dead letter queue topic "${config.deadLetterQueueTopic}" is configured but no producer was supplied`);
    reporters.push(
      new DeadLetterQueueReporter({
        topic: config.deadLetterQueueTopic,
        contextHeadersEnabled: config.deadLetterQueueContextHeaders,
        connectorName: context.connectorName,
        taskId: context.taskId,
        send: context.send,
      }),
    );
  }
  return reporters;
}
