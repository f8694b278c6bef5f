import type { IPublishPacket } from 'mqtt';
import { MqttPayloadError, MqttRecordMapper } from './mqtt-record';
import { parseMqttSourceConfig } from './mqtt-source-config';

const packet = (topic: string, payload: string, extra: Partial<IPublishPacket> = {}): IPublishPacket => ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, dup: false, retain: false, messageId: 7, ...extra });
const mapper = (extra: Record<string, string> = {}): MqttRecordMapper =>
  new MqttRecordMapper(parseMqttSourceConfig({ 'mqtt.server.uri': 'tcp://b:1883', 'mqtt.topics': '#', 'kafka.topic': 'mes.${mqtt.topic}', ...extra }), 'client-1');

describe('MqttRecordMapper', () => {
  it('maps the MQTT topic into the Kafka topic and the key; bytes stay bytes', () => {
    const r = mapper().toRecord(packet('plant/line 1/temp', 'raw'), 1000);
    expect(r.topic).toBe('mes.plant.line_1.temp');
    expect(r.key).toBe('plant/line 1/temp');
    expect(r.value).toEqual(Buffer.from('raw'));
    expect(r.timestamp).toBe(1000);
    expect(r.sourcePartition).toEqual({ client: 'client-1' });
  });

  it('infers a struct of optional fields from a JSON object, nested values as JSON text', () => {
    const m = mapper({ 'mqtt.payload.format': 'json', 'mqtt.key.source': 'json:machine' });
    const r = m.toRecord(packet('t', '{"temp": 21.5, "machine": "m-1", "ok": true, "tags": ["a"], "at": {"s": 1}, "n": null, "bad-name": 1}'), 0);
    expect(r.key).toBe('m-1');
    expect(r.value).toEqual({ at: '{"s":1}', bad_name: 1, machine: 'm-1', n: null, ok: true, tags: '["a"]', temp: 21.5 });
    expect(r.valueSchema?.fields?.map((f) => `${f.name}:${f.schema.type}:${f.schema.optional}`)).toEqual([
      'at:string:true', 'bad_name:float64:true', 'machine:string:true', 'n:string:true', 'ok:boolean:true', 'tags:string:true', 'temp:float64:true',
    ]);
    // equal shapes share one schema object (one registry lookup per shape)
    expect(m.toRecord(packet('t', '{"machine": "m-2", "temp": 1, "ok": false, "tags": [], "at": {}, "n": null, "bad-name": 2}'), 0).valueSchema).toBe(r.valueSchema);
  });

  it('refuses a payload that is not a JSON object, naming the topic', () => {
    const m = mapper({ 'mqtt.payload.format': 'json' });
    expect(() => m.toRecord(packet('plant/x', 'not json'), 0)).toThrow(MqttPayloadError);
    expect(() => m.toRecord(packet('plant/x', '[1,2]'), 0)).toThrow(/plant\/x is JSON but not an object/);
  });

  it('carries the MQTT facts and MQTT 5 user properties as headers', () => {
    const r = mapper({ 'mqtt.payload.format': 'string' }).toRecord(
      packet('a/b', 'hello', { dup: true, retain: true, qos: 2, properties: { contentType: 'text/plain', userProperties: { line: 'L1', shift: ['a', 'b'] } } }),
      0,
    );
    expect(r.value).toBe('hello');
    expect(r.headers.map((h) => `${h.key}=${String(h.value)}`)).toEqual([
      'mqtt.topic=a/b', 'mqtt.qos=2', 'mqtt.retained=true', 'mqtt.duplicate=true', 'mqtt.message.id=7', 'mqtt.content.type=text/plain', 'line=L1', 'shift=a', 'shift=b',
    ]);
  });
});
