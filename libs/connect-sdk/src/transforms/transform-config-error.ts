import { invalidValueMessage, missingConfigMessage, type ConfigProblem } from '../config/config-parser';

/**
 * A bad transform, predicate or error-handling configuration, naming the offending key
 * as the connector config spells it (e.g. `transforms.route.regex`). The REST layer
 * reports it as a 400 on create/update and as that key's error on validate. Messages
 * follow Kafka's ConfigException wording:
 * - missing: `Missing required configuration "k" which has no default value.`
 * - invalid: `Invalid value v for configuration k: reason`
 */
export class TransformConfigError extends Error {
  private constructor(
    readonly key: string,
    readonly kind: 'missing' | 'invalid',
    readonly value: string | null,
    readonly reason: string,
  ) {
    super(kind === 'missing' ? missingConfigMessage(key) : invalidValueMessage(key, value ?? 'null', reason));
    this.name = 'TransformConfigError';
  }

  static missing(key: string): TransformConfigError {
    return new TransformConfigError(key, 'missing', null, 'missing');
  }

  static invalid(key: string, value: string | null, reason: string): TransformConfigError {
    return new TransformConfigError(key, 'invalid', value, reason);
  }

  /** A problem found by the SDK's config parser (config/config-parser.ts). */
  static fromProblem(problem: ConfigProblem): TransformConfigError {
    return problem.kind === 'missing' ? TransformConfigError.missing(problem.key) : TransformConfigError.invalid(problem.key, problem.value, problem.reason);
  }

  /** The same error for a key nested under `prefix` (e.g. `transforms.a.`). */
  withPrefix(prefix: string): TransformConfigError {
    return new TransformConfigError(prefix + this.key, this.kind, this.value, this.reason);
  }
}
