import type { ConfigDef, ParsedConfig } from '../config/config-def';
import { parseConfig } from '../config/config-parser';
import { TransformConfigError } from './transform-config-error';

/**
 * Parses the config of a transform, a predicate or the runtime's error handling with the
 * SDK's one parser (config/config-parser.ts: types, defaults, allowed values,
 * validators) and throws its first problem, in the definition's key order, as a
 * `TransformConfigError` naming the key.
 */
export function parseTransformConfig(def: ConfigDef, raw: Readonly<Record<string, string>>): ParsedConfig {
  const { parsed, problems } = parseConfig(def, raw);
  if (problems.length > 0) throw TransformConfigError.fromProblem(problems[0]);
  return parsed;
}
