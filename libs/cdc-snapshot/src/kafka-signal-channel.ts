import type { ConfigKey, ConnectorLogger, ParsedConfig } from '@millrace/connect-sdk';
import { configList, configString } from '@millrace/connect-sdk';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { SignalError } from './snapshot-signal';

/**
 * Debezium's Kafka signal channel for the CDC sources: with `signal.enabled.channels`
 * holding `kafka`, the task reads `signal.kafka.topic` (default `<topic.prefix>-signal`)
 * on `signal.kafka.bootstrap.servers` in the consumer group `signal.kafka.groupId`
 * (default `kafka-signal`). A record whose key is the connector's `topic.prefix` and
 * whose value is `{"type": ..., "data": {...}}` is a signal with id
 * `kafka-<partition>-<offset>`; records with another key are not for this connector.
 *
 * Contracts:
 * - Each signal is handed to `deliver`, which puts it into the database's change stream
 *   (the same path as the REST call), so it takes effect in stream order and durably; a
 *   bad signal (SignalError) is logged and skipped, never failing the task.
 * - The group's offsets are committed after delivery (at least once: after a crash a
 *   signal may be delivered again; an incremental snapshot is then simply read again).
 *   A new group starts at the topic's beginning (no signal sent before the connector's
 *   first start is lost; old signals for the same topic.prefix run once). `ready`
 *   resolves once the consumer joined its group.
 */
export const SIGNAL_CHANNEL_KEYS = (group: string, firstOrder: number): ConfigKey[] => [
  { name: 'signal.enabled.channels', type: 'LIST', default: 'source', importance: 'LOW', group, orderInGroup: firstOrder, validator: channelsRule,
    documentation: 'Where signals are read from: source (the signal table, and POST /connectors/{c}/snapshots) and/or kafka (signal.kafka.topic), as Debezium.' },
  { name: 'signal.kafka.topic', type: 'STRING', default: null, importance: 'LOW', group, orderInGroup: firstOrder + 1, documentation: 'Topic of the Kafka signal channel (default <topic.prefix>-signal): records keyed by topic.prefix with value {"type": ..., "data": {...}}.' },
  { name: 'signal.kafka.bootstrap.servers', type: 'STRING', default: null, importance: 'LOW', group, orderInGroup: firstOrder + 2, documentation: 'Bootstrap servers (host:port,...) of the Kafka signal channel; required when signal.enabled.channels holds kafka.' },
  { name: 'signal.kafka.groupId', type: 'STRING', default: 'kafka-signal', importance: 'LOW', group, orderInGroup: firstOrder + 3, documentation: 'Consumer group of the Kafka signal channel.' },
];

function channelsRule(value: unknown): string | null {
  const bad = (Array.isArray(value) ? value : String(value ?? '').split(',')).map((s) => String(s).trim()).filter((s) => s !== '' && s !== 'source' && s !== 'kafka');
  return bad.length === 0 ? null : `may hold only source and kafka (not ${bad.join(', ')})`;
}

export interface KafkaSignalSettings {
  readonly topic: string;
  readonly bootstrap: readonly string[];
  readonly groupId: string;
}

/** The Kafka channel's settings, or null when `kafka` is not among signal.enabled.channels; a missing bootstrap is an error naming the key. */
export function kafkaSignalSettings(parsed: ParsedConfig, topicPrefix: string, configError: (message: string) => Error): KafkaSignalSettings | null {
  if (!configList(parsed, 'signal.enabled.channels').map((s) => s.trim()).includes('kafka')) return null;
  const bootstrap = (configString(parsed, 'signal.kafka.bootstrap.servers') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (bootstrap.length === 0) throw configError('signal.enabled.channels holds kafka: set signal.kafka.bootstrap.servers (host:port of the Kafka cluster holding the signal topic)');
  return { topic: configString(parsed, 'signal.kafka.topic') || `${topicPrefix}-signal`, bootstrap, groupId: configString(parsed, 'signal.kafka.groupId') || 'kafka-signal' };
}

export class KafkaSignalChannel {
  private consumer: Consumer | null = null;
  readonly ready: Promise<void>;
  private markReady: () => void = () => undefined;

  constructor(
    private readonly settings: KafkaSignalSettings,
    private readonly topicPrefix: string,
    private readonly deliver: (signal: { readonly id: string; readonly type: string; readonly data: string }) => Promise<void>,
    private readonly logger: Pick<ConnectorLogger, 'info' | 'warn'>,
    private readonly name: string,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
  }

  async start(): Promise<void> {
    const { topic, bootstrap, groupId } = this.settings;
    const kafka = new Kafka({ clientId: `${this.name}-signal`, brokers: [...bootstrap], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: true });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.logger.info(`${this.name}: reading signals from Kafka topic ${topic} (group ${groupId})`);
      this.markReady();
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (message.key?.toString('utf8') !== this.topicPrefix || message.value === null) return;
        const id = `kafka-${partition}-${message.offset}`;
        let body: { type?: unknown; data?: unknown };
        try {
          body = JSON.parse(message.value.toString('utf8')) as { type?: unknown; data?: unknown };
        } catch {
          this.logger.warn(`${this.name}: ignoring Kafka signal ${id}: its value is not JSON`);
          return;
        }
        const signal = { id, type: String(body.type ?? ''), data: typeof body.data === 'string' ? body.data : JSON.stringify(body.data ?? {}) };
        try {
          await this.deliver(signal);
          this.logger.info(`${this.name}: Kafka signal ${id} (${signal.type}) delivered`);
        } catch (err) {
          if (err instanceof SignalError || (err as Error).name === 'SignalError') this.logger.warn(`${this.name}: ignoring Kafka signal ${id}: ${(err as Error).message}`);
          else throw err;
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = null;
  }
}
