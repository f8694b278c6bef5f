import { crossFieldErrors, MqttSourceConfigError, parseMqttSourceConfig, topicFilterProblem } from './mqtt-source-config';

describe('mqtt-source config', () => {
  const base = { 'mqtt.server.uri': 'tcp://broker:1883', 'mqtt.topics': 'plant/+/telemetry, alarms/#', 'kafka.topic': 'mes.${mqtt.topic}' };

  it('parses with the documented defaults', () => {
    const c = parseMqttSourceConfig(base);
    expect(c).toMatchObject({ topics: ['plant/+/telemetry', 'alarms/#'], qos: 1, protocolVersion: 5, cleanSession: false, sessionExpirySeconds: 86400, receiveMaximum: 1000, keySource: { kind: 'topic' }, payloadFormat: 'bytes', clientId: null });
    expect(parseMqttSourceConfig({ ...base, 'mqtt.payload.format': 'json', 'mqtt.key.source': 'json:machine' }).keySource).toEqual({ kind: 'json', field: 'machine' });
  });

  it('names the key of every bad value', () => {
    expect(() => parseMqttSourceConfig({ ...base, 'mqtt.server.uri': 'http://x' })).toThrow(/mqtt\.server\.uri/);
    expect(() => parseMqttSourceConfig({ ...base, 'mqtt.qos': '3' })).toThrow(/mqtt\.qos/);
    expect(() => parseMqttSourceConfig({ ...base, 'mqtt.topics': '' })).toThrow(/mqtt\.topics/);
    expect(() => parseMqttSourceConfig({ ...base, 'mqtt.key.source': 'header:x' })).toThrow(/mqtt\.key\.source/);
    expect(() => parseMqttSourceConfig({ ...base, 'mqtt.topics': 'a/b#' })).toThrow(MqttSourceConfigError);
  });

  it('checks the combinations REST validation and the task share', () => {
    expect(crossFieldErrors({ ...base, 'mqtt.key.source': 'json:id' })).toEqual({ 'mqtt.key.source': 'json:<field> needs mqtt.payload.format=json' });
    expect(crossFieldErrors({ ...base, 'mqtt.qos': '2', 'mqtt.protocol.version': '4' })['mqtt.qos']).toMatch(/protocol\.version=5/);
    expect(crossFieldErrors({ ...base, 'mqtt.ssl.cert.file': '/c.pem' })).toEqual({ 'mqtt.ssl.key.file': 'is required with mqtt.ssl.cert.file' });
    expect(crossFieldErrors({ ...base, 'kafka.topic': 'mes/${mqtt.topic}' })['kafka.topic']).toMatch(/letters, digits/);
    expect(crossFieldErrors(base)).toEqual({});
  });

  it.each([
    ['#', null],
    ['a/+/c', null],
    ['a/#', null],
    ['+', null],
    ['a/#/c', 'may use # only as the whole last level'],
    ['a/b#', 'may use # only as the whole last level'],
    ['a/b+/c', 'may use + only as a whole level'],
  ])('topic filter %s', (filter, problem) => {
    expect(topicFilterProblem(filter)).toBe(problem);
  });
});
