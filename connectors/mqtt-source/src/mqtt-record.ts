import type { ConnectHeader, ConnectSchema, SourceRecord } from '@millrace/connect-sdk';
import type { IPublishPacket } from 'mqtt';
import type { MqttSourceConfig } from './mqtt-source-config';

/**
 * One MQTT message as a Kafka Connect source record.
 *
 * - topic: `kafka.topic` with `${mqtt.topic}` replaced by the MQTT topic, "/" as "." and
 *   any other character Kafka does not allow as "_" (`plant/line-1/temp` ->
 *   `plant.line-1.temp`).
 * - key: the MQTT topic (string), none, or a top-level field of a JSON payload (as a
 *   string; null when absent).
 * - value: bytes as received, UTF-8 text, or — `json` — an object payload as a struct
 *   whose schema is inferred from the message: every top-level field optional, sorted by
 *   name; booleans as boolean, numbers as float64 (JSON numbers are doubles), strings as
 *   string, nested objects and arrays as their JSON text. A payload that is not a JSON
 *   object throws MqttPayloadError (the runtime's errors.tolerance decides).
 * - headers: `mqtt.topic`, `mqtt.qos`, `mqtt.retained`, `mqtt.duplicate` (the broker
 *   flagged a redelivery: the message may already be in Kafka), `mqtt.message.id`, and
 *   MQTT 5's content type, response topic and user properties (under their own names).
 * - timestamp: the time of receipt (MQTT carries none).
 * - sourcePartition `{ client }`, sourceOffset `{ received }`: MQTT has no replayable
 *   position; what survives a restart is the broker's session, and the offset only
 *   counts (it lets exactly-once sources commit an offset with each batch); with
 *   exactly.once.support=required the task adds the deliveries a redelivery may repeat.
 */
export class MqttPayloadError extends Error {
  override readonly name = 'MqttPayloadError';
}

const STRING: ConnectSchema = { type: 'string', optional: false };
const OPTIONAL_STRING: ConnectSchema = { type: 'string', optional: true };
const BYTES: ConnectSchema = { type: 'bytes', optional: true };
const FIELD_SCHEMAS: Record<'boolean' | 'float64' | 'string', ConnectSchema> = {
  boolean: { type: 'boolean', optional: true },
  float64: { type: 'float64', optional: true },
  string: { type: 'string', optional: true },
};

export class MqttRecordMapper {
  private readonly topicCache = new Map<string, string>();
  /** Inferred struct schemas by shape ("a:string,b:float64"), so equal shapes share one object. */
  private readonly schemaCache = new Map<string, ConnectSchema>();
  private received = 0;
  /** The task's one source partition (one object, so the runtime keys it once). */
  readonly sourcePartition: Readonly<Record<string, unknown>>;

  constructor(
    private readonly config: MqttSourceConfig,
    clientId: string,
  ) {
    this.sourcePartition = { client: clientId };
  }

  toRecord(packet: IPublishPacket, receivedAt: number): SourceRecord {
    const mqttTopic = packet.topic;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const { valueSchema, value } = this.value(payload, mqttTopic);
    return {
      topic: this.kafkaTopic(mqttTopic),
      kafkaPartition: null,
      ...this.key(mqttTopic, value),
      valueSchema,
      value,
      timestamp: receivedAt,
      headers: headersOf(packet),
      sourcePartition: this.sourcePartition,
      sourceOffset: { received: ++this.received },
    };
  }

  kafkaTopic(mqttTopic: string): string {
    let t = this.topicCache.get(mqttTopic);
    if (t === undefined) {
      const mapped = mqttTopic.replace(/\//g, '.').replace(/[^A-Za-z0-9._-]/g, '_');
      t = this.config.kafkaTopic.replace(/\$\{mqtt\.topic\}/g, mapped).slice(0, 249);
      if (this.topicCache.size < 10_000) this.topicCache.set(mqttTopic, t);
    }
    return t;
  }

  private key(mqttTopic: string, value: unknown): { keySchema: ConnectSchema | null; key: unknown } {
    const src = this.config.keySource;
    if (src.kind === 'none') return { keySchema: null, key: null };
    if (src.kind === 'topic') return { keySchema: STRING, key: mqttTopic };
    const field = (value as Record<string, unknown> | null)?.[src.field];
    return { keySchema: OPTIONAL_STRING, key: field === undefined || field === null ? null : typeof field === 'string' ? field : JSON.stringify(field) };
  }

  private value(payload: Buffer, mqttTopic: string): { valueSchema: ConnectSchema | null; value: unknown } {
    switch (this.config.payloadFormat) {
      case 'bytes':
        return { valueSchema: BYTES, value: payload };
      case 'string':
        return { valueSchema: OPTIONAL_STRING, value: payload.toString('utf8') };
      case 'json':
        return this.json(payload, mqttTopic);
    }
  }

  private json(payload: Buffer, mqttTopic: string): { valueSchema: ConnectSchema; value: Record<string, unknown> } {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch (err) {
      throw new MqttPayloadError(`payload on ${mqttTopic} is not JSON (mqtt.payload.format=json): ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new MqttPayloadError(`payload on ${mqttTopic} is JSON but not an object (mqtt.payload.format=json needs {"field": ...})`);
    }
    const names = Object.keys(parsed).sort();
    const value: Record<string, unknown> = {};
    const shape: string[] = [];
    for (const name of names) {
      const v = (parsed as Record<string, unknown>)[name];
      const type = typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? 'float64' : 'string';
      value[name] = v === null ? null : type === 'string' && typeof v !== 'string' ? JSON.stringify(v) : v;
      shape.push(`${name}:${type}`);
    }
    const signature = shape.join(',');
    let schema = this.schemaCache.get(signature);
    if (!schema) {
      schema = { type: 'struct', optional: false, name: 'mqtt.Payload', fields: names.map((name, index) => ({ name: avroName(name), index, schema: FIELD_SCHEMAS[shape[index].slice(name.length + 1) as keyof typeof FIELD_SCHEMAS] })) };
      if (this.schemaCache.size < 1000) this.schemaCache.set(signature, schema);
    }
    if (names.some((n) => avroName(n) !== n)) {
      const renamed: Record<string, unknown> = {};
      for (const n of names) renamed[avroName(n)] = value[n];
      return { valueSchema: schema, value: renamed };
    }
    return { valueSchema: schema, value };
  }
}

/** Field names Avro accepts: [A-Za-z_][A-Za-z0-9_]*; other characters become "_". */
function avroName(name: string): string {
  const n = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(n) ? n : `_${n}`;
}

function headersOf(packet: IPublishPacket): ConnectHeader[] {
  const h: ConnectHeader[] = [
    { key: 'mqtt.topic', value: packet.topic },
    { key: 'mqtt.qos', value: String(packet.qos) },
    { key: 'mqtt.retained', value: String(packet.retain) },
    { key: 'mqtt.duplicate', value: String(packet.dup) },
  ];
  if (packet.messageId !== undefined) h.push({ key: 'mqtt.message.id', value: String(packet.messageId) });
  const p = packet.properties;
  if (p?.contentType) h.push({ key: 'mqtt.content.type', value: p.contentType });
  if (p?.responseTopic) h.push({ key: 'mqtt.response.topic', value: p.responseTopic });
  for (const [key, v] of Object.entries(p?.userProperties ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) h.push({ key, value: String(one) });
  }
  return h;
}
