import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * A kafkajs client for one component of the worker, logging through pino. Only the
 * Kafka protocol is used, so the worker runs unchanged against any Kafka cluster.
 */
export function createKafka(bootstrap: readonly string[], clientId: string, logger: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers: [...bootstrap],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const fields = { component: clientId, namespace: entry.namespace, ...extra };
      if (entry.level === logLevel.ERROR) logger.error(fields, message);
      else if (entry.level === logLevel.WARN) logger.warn(fields, message);
      else logger.debug(fields, message);
    },
    retry: { retries: 5, initialRetryTime: 200 },
  });
}
