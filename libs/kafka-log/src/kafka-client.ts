import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { applyKafkajsIdleTimerFix } from './kafkajs-idle-timer-fix';

/**
 * The one way this project builds a kafkajs client: `clientId` names it to the brokers
 * and in the logs (pino field `component`), kafkajs logs WARN and ERROR through `logger`
 * (anything lower at debug), and requests are retried 5 times from 200 ms. Only the
 * Kafka protocol is used, so the client runs unchanged against Millrace or any Kafka
 * cluster. kafkajs's idle 1 ms timer loop is switched off (kafkajs-idle-timer-fix.ts).
 */
export function createKafkaClient(bootstrap: readonly string[], clientId: string, logger: Logger): Kafka {
  applyKafkajsIdleTimerFix();
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
