/**
 * Converter settings are validated with the same ConfigDef machinery as connector configs;
 * a converter refuses to start (ConverterError listing every problem, in Kafka's wording)
 * rather than run with a misread setting.
 */
import type { ConfigDef, ParsedConfig } from '../config/config-def';
import { parseConfig } from '../config/config-parser';
import { ConverterError } from './converter';

/** Parsed values of `def`'s keys; throws ConverterError naming the converter on any error. */
export function parseConverterConfig(def: ConfigDef, config: Readonly<Record<string, string>>, converterName: string): ParsedConfig {
  const { parsed, errors } = parseConfig(def, config);
  const messages = Object.values(errors).flat();
  if (messages.length > 0) throw new ConverterError(`Invalid ${converterName} configuration: ${messages.join('; ')}`);
  return parsed;
}
