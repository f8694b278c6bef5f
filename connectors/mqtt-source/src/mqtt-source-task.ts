import * as fs from 'node:fs';
import { EXACTLY_ONCE_SUPPORT_CONFIG, PushedQueue, type SourceRecord, type SourceTask, type SourceTaskContext } from '@millrace/connect-sdk';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { DeferredAcks, type AckTicket } from './deferred-acks';
import { MqttRecordMapper } from './mqtt-record';
import { parseMqttSourceConfig, type MqttSourceConfig } from './mqtt-source-config';
import { RedeliveryDedupe, type DeliveryEntry } from './redelivery-dedupe';

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
 *
 * Redeliveries: at least once, a message committed whose acknowledgement did not reach
 * the broker before a crash is written again (header mqtt.duplicate=true, counted in the
 * status). With `exactly.once.support=required` (the runtime then commits each batch's
 * source offset in the batch's Kafka transaction) the offset also lists the deliveries
 * written and not yet confirmed acknowledged (redelivery-dedupe.ts), and a redelivery
 * of one of them is acknowledged without being written again.
 */
const QOS0_QUEUE_CAP = 100_000;
/**
 * Fault injection for tests: MILLRACE_MQTT_TEST_ACK_DELAY_MS delays each batch's
 * acknowledgements after its commit, widening the window in which a kill -9 leaves
 * committed messages unacknowledged (the ones the broker redelivers). Unset in production.
 */
const TEST_ACK_DELAY_ENV = 'MILLRACE_MQTT_TEST_ACK_DELAY_MS';
/** Filter the ack barrier unsubscribes from (never subscribed: only the UNSUBACK matters). */
const BARRIER_FILTER = 'millrace/ack-barrier';

/** The acknowledgements written once a record commits: its own, then those of redeliveries dropped after it. */
interface AckSlot {
  readonly tickets: AckTicket[];
  done: boolean;
}

interface Taken {
  record: SourceRecord;
  slot: AckSlot | null;
  delivery: DeliveryEntry | null;
}

export class MqttSourceTask implements SourceTask {
  private config: MqttSourceConfig | null = null;
  private client: MqttClient | null = null;
  private acks: DeferredAcks | null = null;
  private mapper: MqttRecordMapper | null = null;
  private readonly queue = new PushedQueue<Taken>();
  private readonly slots = new WeakMap<SourceRecord, AckSlot>();
  /** The slot of the last message taken with an acknowledgement, where a dropped redelivery's ack waits. */
  private lastSlot: AckSlot | null = null;
  private dedupe: RedeliveryDedupe | null = null;
  private failure: Error | null = null;
  private context: SourceTaskContext | null = null;
  private redelivered = 0;
  private droppedQos0 = 0;
  private ackDelayMs = 0;

  async open(raw: Readonly<Record<string, string>>, context: SourceTaskContext): Promise<void> {
    const config = parseMqttSourceConfig(raw);
    this.config = config;
    this.context = context;
    this.ackDelayMs = Math.max(0, Number(process.env[TEST_ACK_DELAY_ENV] ?? 0) || 0);
    const clientId = config.clientId ?? `millrace-${context.connectorName}-${context.taskId}`.replace(/[^A-Za-z0-9_-]/g, '_');
    this.mapper = new MqttRecordMapper(config, clientId);
    if (config.qos > 0 && (raw[EXACTLY_ONCE_SUPPORT_CONFIG] ?? '').trim().toLowerCase() === 'required') {
      const dedupe = new RedeliveryDedupe();
      dedupe.restore(context.offset(this.mapper.sourcePartition));
      this.dedupe = dedupe;
    }
    const client = mqtt.connect(config.serverUri.replace(/^tcp:/, 'mqtt:').replace(/^(ssl|tls):/, 'mqtts:'), this.clientOptions(config, clientId));
    this.client = client;
    this.acks = new DeferredAcks(client, this.dedupe ? (id) => this.dedupe?.ackWritten(id) : undefined);
    client.on('close', () => this.dedupe?.connectionClosed());
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
    client.on('connect', (connack) => {
      void this.subscribe(client, config, connack.sessionPresent);
      this.sendBarrier(true);
    });
    await this.subscribe(client, config, false);
    this.sendBarrier(true);
  }

  /**
   * An UNSUBSCRIBE round trip whose answer proves the acknowledgements written before it
   * reached the broker (see RedeliveryDedupe); another follows while acks keep coming.
   */
  private sendBarrier(force = false): void {
    const client = this.client;
    const barrier = this.dedupe?.barrierSent(force);
    if (!client || !barrier) return;
    client.unsubscribeAsync(BARRIER_FILTER).then(
      () => {
        if (this.dedupe?.barrierDone(barrier)) this.sendBarrier();
      },
      () => undefined, // connection lost: the next connection sends its own
    );
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
    let delivery: DeliveryEntry | null = null;
    if (this.dedupe && ticket) {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      const seen = this.dedupe.take(ticket.messageId, packet.topic, payload, packet.dup);
      if (seen.verdict === 'duplicate') {
        // already in Kafka (or about to be, ahead of this copy): acknowledge in arrival order, write nothing
        if (this.lastSlot && !this.lastSlot.done) this.lastSlot.tickets.push(ticket);
        else this.acks!.release([ticket]);
        return;
      }
      delivery = seen.entry;
    }
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
      this.queue.dropFirst((t) => t.slot === null);
      if (this.droppedQos0++ % 10_000 === 0) this.context?.logger.warn(`QoS 0 queue full (${QOS0_QUEUE_CAP}): dropping the oldest QoS 0 messages (${this.droppedQos0} so far)`);
    }
    let slot: AckSlot | null = null;
    if (ticket) {
      slot = { tickets: [ticket], done: false };
      this.lastSlot = slot;
    }
    this.queue.push({ record, slot, delivery });
  }

  async read(maxRecords: number): Promise<SourceRecord[]> {
    if (this.failure) throw this.failure;
    const taken = await this.queue.take(maxRecords, 500);
    if (this.failure) throw this.failure;
    for (const t of taken) {
      if (t.slot) this.slots.set(t.record, t.slot);
      if (t.delivery) this.dedupe!.read(t.delivery);
    }
    const records = taken.map((t) => t.record);
    const last = records.at(-1);
    if (this.dedupe && last) {
      // the batch's offset (its last record's, committed in its transaction) lists what a redelivery may repeat
      records[records.length - 1] = { ...last, sourceOffset: { ...last.sourceOffset, ...this.dedupe.offsetFields() } };
      const slot = this.slots.get(last);
      if (slot) this.slots.set(records[records.length - 1], slot);
    }
    return records;
  }

  async ack(records: readonly SourceRecord[]): Promise<void> {
    const tickets: AckTicket[] = [];
    for (const r of records) {
      const slot = this.slots.get(r);
      if (!slot) continue;
      slot.done = true;
      for (const t of slot.tickets) tickets.push(t);
    }
    if (this.ackDelayMs > 0) {
      // timers of one duration fire in the order they were set: acks stay in arrival order
      setTimeout(() => {
        if (!this.client) return; // torn down: the broker redelivers
        this.acks?.release(tickets);
        this.sendBarrier();
      }, this.ackDelayMs);
    } else {
      this.acks?.release(tickets);
      this.sendBarrier();
    }
    if (this.redelivered > 0) this.context?.reportStatus?.(this.redeliveryNote());
  }

  private redeliveryNote(): string {
    if (!this.dedupe) return `${this.redelivered} messages redelivered by the MQTT broker since start (possible duplicates, header mqtt.duplicate=true)`;
    return `${this.redelivered} messages redelivered by the MQTT broker since start; ${this.dedupe.dropped} redeliveries of messages already in Kafka not written again since the first start (exactly.once.support=required)`;
  }

  async teardown(): Promise<void> {
    const client = this.client;
    this.client = null;
    this.queue.wake();
    // force: parked acks are never written, so the broker keeps those messages for the next session
    if (client) await client.endAsync(true).catch(() => undefined);
  }
}
