import * as fs from 'node:fs';
import { PushedQueue, type SourceRecord, type SourceTask, type SourceTaskContext } from '@millrace/connect-sdk';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { DeferredAcks, type AckTicket } from './deferred-acks';
import { MqttRecordMapper } from './mqtt-record';
import { parseMqttSourceConfig, type MqttSourceConfig } from './mqtt-source-config';

export const CONNECTOR_VERSION = '0.1.0';

/**
 * One MQTT client with a stable client id and (by default) a persistent session, feeding
 * the runtime's poll loop.
 *
 * Flow: every PUBLISH the client receives becomes a record in an in-memory queue, taken
 * by `read`; for QoS 1/2 its acknowledgement is parked (deferred-acks.ts) until `ack`
 * reports the record committed in Kafka, so a crash at any point leaves the message
 * unacknowledged and the broker delivers it again (flagged dup) to the next session.
 * Back-pressure is the protocol's own: the broker sends at most `mqtt.receive.maximum`
 * (MQTT 5; the broker's own in-flight limit for 3.1.1) unacknowledged messages, so the
 * queue is bounded by it for QoS 1/2. QoS 0 messages are not flow-controlled by MQTT;
 * their queue is capped at 100,000 and the oldest are dropped beyond it (counted, logged).
 *
 * Connection loss: mqtt.js reconnects every second with the same session; acks parked
 * for the old connection are dropped (their messages come again). Only the first
 * connection must succeed within `mqtt.connect.timeout.seconds`, else the task fails
 * with the broker's answer (bad credentials, unreachable, TLS).
 */
const QOS0_QUEUE_CAP = 100_000;

interface Taken {
  record: SourceRecord;
  ticket: AckTicket | null;
}

export class MqttSourceTask implements SourceTask {
  private config: MqttSourceConfig | null = null;
  private client: MqttClient | null = null;
  private acks: DeferredAcks | null = null;
  private mapper: MqttRecordMapper | null = null;
  private readonly queue = new PushedQueue<Taken>();
  private readonly tickets = new WeakMap<SourceRecord, AckTicket>();
  private failure: Error | null = null;
  private context: SourceTaskContext | null = null;
  private redelivered = 0;
  private droppedQos0 = 0;

  async open(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const config = parseMqttSourceConfig(raw);
    this.config = config;
    this.context = context;
    const clientId = config.clientId ?? `millrace-${context.connectorName}-${context.taskId}`.replace(/[^A-Za-z0-9_-]/g, '_');
    this.mapper = new MqttRecordMapper(config, clientId);
    const client = mqtt.connect(config.serverUri.replace(/^tcp:/, 'mqtt:').replace(/^(ssl|tls):/, 'mqtts:'), this.clientOptions(config, clientId));
    this.client = client;
    this.acks = new DeferredAcks(client);
    client.on('message', (_topic, _payload, packet) => {
      if (packet.qos !== 2) this.take(packet);
    });
    client.on('error', (err) => {
      context.logger.warn(`MQTT client ${clientId}: ${err.message}`);
    });
    client.on('reconnect', () => context.logger.info(`MQTT client ${clientId}: reconnecting to ${config.serverUri}`));
    await this.firstConnect(client, config, clientId);
  }

  private clientOptions(config: MqttSourceConfig, clientId: string): IClientOptions {
    const opts: IClientOptions = {
      clientId,
      clean: config.cleanSession,
      protocolVersion: config.protocolVersion,
      keepalive: config.keepaliveSeconds,
      connectTimeout: config.connectTimeoutMs,
      reconnectPeriod: 1000,
      resubscribe: false,
      ...(config.username !== null ? { username: config.username } : {}),
      ...(config.password !== null ? { password: config.password } : {}),
      ...(config.caFile !== null ? { ca: fs.readFileSync(config.caFile) } : {}),
      ...(config.certFile !== null ? { cert: fs.readFileSync(config.certFile) } : {}),
      ...(config.keyFile !== null ? { key: fs.readFileSync(config.keyFile) } : {}),
      rejectUnauthorized: config.rejectUnauthorized,
    };
    if (config.protocolVersion === 5) {
      opts.properties = { sessionExpiryInterval: config.cleanSession ? 0 : config.sessionExpirySeconds, receiveMaximum: config.receiveMaximum };
      // QoS 2: the message is taken at PUBLISH (its PUBREC then waits for the commit); mqtt.js
      // would otherwise hand it over only at PUBREL, which the broker sends after PUBREC.
      opts.customHandleAcks = (_topic, _message, packet, done) => {
        if (packet.qos === 2) this.take(packet);
        done(0);
      };
    }
    return opts;
  }

  private async firstConnect(client: MqttClient, config: MqttSourceConfig, clientId: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`no answer from ${config.serverUri} within ${config.connectTimeoutMs / 1000} s (mqtt.server.uri, mqtt.connect.timeout.seconds)`)), config.connectTimeoutMs);
      const fail = (err: Error): void => {
        clearTimeout(timer);
        client.removeListener('connect', ok);
        client.end(true);
        reject(new Error(`MQTT connection to ${config.serverUri} as ${clientId} failed: ${err.message}`));
      };
      const ok = (): void => {
        clearTimeout(timer);
        client.removeListener('error', fail);
        resolve();
      };
      client.once('connect', ok);
      client.once('error', fail);
    });
    client.on('connect', (connack) => void this.subscribe(client, config, connack.sessionPresent));
    await this.subscribe(client, config, false);
  }

  /** Subscribes (again after a reconnect that lost the session). */
  private async subscribe(client: MqttClient, config: MqttSourceConfig, sessionPresent: boolean): Promise<void> {
    if (sessionPresent) return;
    try {
      const granted = await client.subscribeAsync(config.topics.map((t) => t), { qos: config.qos });
      const refused = granted.filter((g) => g.qos === 128 || g.qos > 2);
      if (refused.length > 0) this.failure = new Error(`the MQTT broker refused the subscription to ${refused.map((g) => g.topic).join(', ')} (check its ACLs for ${client.options.clientId})`);
      const lower = granted.filter((g) => g.qos < config.qos);
      if (lower.length > 0) this.context?.logger.warn(`MQTT broker granted QoS ${lower[0].qos} instead of ${config.qos} for ${lower.map((g) => g.topic).join(', ')}`);
    } catch (err) {
      this.failure = new Error(`MQTT subscribe to ${config.topics.join(', ')} failed: ${(err as Error).message}`);
    }
    this.queue.wake();
  }

  private take(packet: IPublishPacket): void {
    const ticket = packet.qos > 0 && packet.messageId !== undefined ? this.acks!.expect(packet.messageId) : null;
    if (packet.dup) this.redelivered++;
    let record: SourceRecord;
    try {
      record = this.mapper!.toRecord(packet, Date.now());
    } catch (err) {
      // A payload the format cannot read fails the task (after its ack was parked, so the message is not lost).
      this.failure ??= err as Error;
      this.queue.wake();
      return;
    }
    if (ticket === null && this.queue.length >= QOS0_QUEUE_CAP) {
      this.queue.dropFirst((t) => t.ticket === null);
      if (this.droppedQos0++ % 10_000 === 0) this.context?.logger.warn(`QoS 0 queue full (${QOS0_QUEUE_CAP}): dropping the oldest QoS 0 messages (${this.droppedQos0} so far)`);
    }
    this.queue.push({ record, ticket });
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    if (this.failure) throw this.failure;
    const taken = await this.queue.take(maxRecords, 500);
    if (this.failure) throw this.failure;
    for (const t of taken) if (t.ticket) this.tickets.set(t.record, t.ticket);
    return taken.map((t) => t.record);
  }

  async ack(records: readonly SourceRecord[]): Promise<void> {
    const tickets: AckTicket[] = [];
    for (const r of records) {
      const t = this.tickets.get(r);
      if (t) tickets.push(t);
    }
    this.acks?.release(tickets);
    if (this.redelivered > 0) this.context?.reportStatus?.(`${this.redelivered} messages redelivered by the MQTT broker since start (possible duplicates, header mqtt.duplicate=true)`);
  }

  async teardown(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.queue.wake();
    // force: parked acks are never written, so the broker keeps those messages for the next session
    if (client) await client.endAsync(true).catch(() => undefined);
  }
}
