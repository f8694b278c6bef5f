import { AvroConverter } from './avro-converter';
import { ByteArrayConverter } from './byte-array-converter';
import { converterSettings, createConverter } from './converter-registry';
import { JsonConverter } from './json-converter';
import { StringConverter } from './string-converter';

describe('createConverter', () => {
  it('accepts short names and Kafka/Confluent class names', async () => {
    expect(await createConverter('json', {}, false)).toBeInstanceOf(JsonConverter);
    expect(await createConverter('org.apache.kafka.connect.json.JsonConverter', {}, false)).toBeInstanceOf(JsonConverter);
    expect(await createConverter('string', {}, true)).toBeInstanceOf(StringConverter);
    expect(await createConverter('org.apache.kafka.connect.storage.StringConverter', {}, true)).toBeInstanceOf(StringConverter);
    expect(await createConverter('org.apache.kafka.connect.converters.ByteArrayConverter', {}, true)).toBeInstanceOf(ByteArrayConverter);
    expect(await createConverter('io.confluent.connect.avro.AvroConverter', {}, false, { 'schema.registry.url': 'http://127.0.0.1:8081' })).toBeInstanceOf(AvroConverter);
    expect(await createConverter('avro', {}, false, { 'schema.registry.url': 'http://127.0.0.1:8081' })).toBeInstanceOf(AvroConverter);
  });

  it('passes the side\'s prefixed settings, stripped, over the defaults', async () => {
    const config = { 'value.converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'true', 'value.converter.schema.registry.url': 'http://r:1', other: 'x' };
    expect(converterSettings(config, false, { 'schema.registry.url': 'http://default:8081' })).toEqual({ 'schemas.enable': 'false', 'schema.registry.url': 'http://r:1' });
    expect(converterSettings(config, true)).toEqual({ 'schemas.enable': 'true' });
    const value = (await createConverter('json', config, false)) as JsonConverter;
    expect((await value.fromConnectData('t', null, { a: 1 }))?.toString()).toBe('{"a":1}');
    const key = (await createConverter('json', config, true)) as JsonConverter;
    expect((await key.fromConnectData('t', null, { a: 1 }))?.toString()).toBe('{"schema":null,"payload":{"a":1}}');
  });

  it('names the config key on errors', async () => {
    await expect(createConverter('com.example.Nope', {}, true)).rejects.toThrow(/^Invalid value com.example.Nope for configuration key.converter: Class com.example.Nope could not be found/);
    await expect(createConverter('avro', {}, false)).rejects.toThrow(
      'value.converter: Invalid AvroConverter configuration: Missing required configuration "schema.registry.url" which has no default value.',
    );
    await expect(createConverter('json', { 'value.converter.schemas.enable': 'maybe' }, false)).rejects.toThrow(/^value\.converter: Invalid JsonConverter configuration: .*Expected value to be either true or false/);
  });
});
