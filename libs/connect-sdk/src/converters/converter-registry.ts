/**
 * Builds the converter named by a connector's `key.converter` / `value.converter`.
 *
 * Accepted names: the short names `avro`, `json`, `string`, `bytes` and the Java class
 * names Kafka Connect and Confluent configs carry (see {@link CONVERTER_CLASSES}).
 * Settings: every `key.converter.*` (isKey) or `value.converter.*` key of the connector
 * config, prefix stripped, on top of `defaults` (e.g. the runtime's
 * `{ "schema.registry.url": MILLRACE_REGISTRY_URL }`); the converter is configured before
 * it is returned. An unknown name or a bad setting throws ConverterError naming the
 * config key (`key.converter` / `value.converter`).
 */
import { AvroConverter, type AvroConverterOptions } from './avro-converter';
import { ByteArrayConverter } from './byte-array-converter';
import { ConverterError, type Converter } from './converter';
import { JsonConverter } from './json-converter';
import { StringConverter } from './string-converter';
import { errorMessage } from '@millrace/app-common';

export type ConverterKind = 'avro' | 'json' | 'string' | 'bytes';

/** Accepted converter names -> kind. */
export const CONVERTER_CLASSES: Readonly<Record<string, ConverterKind>> = {
  avro: 'avro',
  json: 'json',
  string: 'string',
  bytes: 'bytes',
  'io.confluent.connect.avro.AvroConverter': 'avro',
  'org.apache.kafka.connect.json.JsonConverter': 'json',
  'org.apache.kafka.connect.storage.StringConverter': 'string',
  'org.apache.kafka.connect.converters.ByteArrayConverter': 'bytes',
};

export interface CreateConverterOptions {
  /** Passed to the AvroConverter (e.g. a shared registry client factory). */
  readonly avro?: AvroConverterOptions;
}

/** The converter kind of a name, or null when unknown. */
export function converterKind(className: string): ConverterKind | null {
  return CONVERTER_CLASSES[className.trim()] ?? null;
}

/** The `<side>.converter.*` settings of a connector config, prefix stripped, over `defaults`. */
export function converterSettings(config: Readonly<Record<string, string>>, isKey: boolean, defaults: Readonly<Record<string, string>> = {}): Record<string, string> {
  const prefix = isKey ? 'key.converter.' : 'value.converter.';
  const out: Record<string, string> = { ...defaults };
  for (const [k, v] of Object.entries(config)) if (k.startsWith(prefix) && k.length > prefix.length) out[k.slice(prefix.length)] = v;
  return out;
}

/** Creates and configures the converter `className` for keys or values. */
export async function createConverter(
  className: string,
  config: Readonly<Record<string, string>>,
  isKey: boolean,
  defaults: Readonly<Record<string, string>> = {},
  options: CreateConverterOptions = {},
): Promise<Converter> {
  const configKey = isKey ? 'key.converter' : 'value.converter';
  const kind = converterKind(className);
  if (kind === null) {
    throw new ConverterError(`Invalid value ${className} for configuration ${configKey}: Class ${className} could not be found. Use one of: ${Object.keys(CONVERTER_CLASSES).join(', ')}`);
  }
  const converter = newConverter(kind, options);
  try {
    await converter.configure(converterSettings(config, isKey, defaults), isKey);
  } catch (e) {
    const reason = errorMessage(e);
    throw new ConverterError(`${configKey}: ${reason}`, { cause: e });
  }
  return converter;
}

function newConverter(kind: ConverterKind, options: CreateConverterOptions): Converter {
  switch (kind) {
    case 'avro':
      return new AvroConverter(options.avro);
    case 'json':
      return new JsonConverter();
    case 'string':
      return new StringConverter();
    case 'bytes':
      return new ByteArrayConverter();
  }
}
