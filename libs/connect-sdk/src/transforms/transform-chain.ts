import type { ConnectRecord } from '../record/connect-record';
import type { Predicate } from './predicate';
import { RegexRouter } from './regex-router';
import { TransformConfigError } from './transform-config-error';
import { type TransformRegistry, createDefaultTransformRegistry } from './transform-registry';
import type { Transformation } from './transformation';
import { errorMessage } from '@millrace/app-common';

/** One configured `transforms.<alias>` entry with its optional predicate. */
export interface TransformStep<R extends ConnectRecord> {
  readonly alias: string;
  /** The type as configured (`transforms.<alias>.type`), e.g. for `__connect.errors.class.name`. */
  readonly type: string;
  readonly transformation: Transformation<R>;
  readonly predicate: { readonly alias: string; readonly type: string; readonly predicate: Predicate<R> } | null;
  readonly negate: boolean;
}

/** Whether a step's transformation applies to a record (its predicate, negated if asked). */
export function stepApplies<R extends ConnectRecord>(step: TransformStep<R>, record: R): boolean {
  if (step.predicate === null) return true;
  return step.predicate.predicate.test(record) !== step.negate;
}

/** Runs one step on a record: the transformation if the predicate allows, else the record as is. */
export function applyStep<R extends ConnectRecord>(step: TransformStep<R>, record: R): R | null {
  return stepApplies(step, record) ? step.transformation.apply(record) : record;
}

/**
 * The transformations of a connector, in `transforms` order. `apply` runs each step
 * (see `applyStep`) and stops at the first that drops the record (returns null). The
 * runtime may instead loop over `steps` itself to run each under the error-handling
 * operator with the step's type as executing class.
 */
export class TransformChain<R extends ConnectRecord = ConnectRecord> {
  constructor(readonly steps: readonly TransformStep<R>[]) {}

  apply(record: R): R | null {
    let current: R | null = record;
    for (const step of this.steps) {
      if (current === null) return null;
      current = applyStep(step, current);
    }
    return current;
  }

  /**
   * The topic a record of `topic` has after the chain's topic routers (RegexRouter steps
   * without a predicate; no other step runs): names a sink's target table without a
   * record (reconciliation).
   */
  routedTopic(topic: string): string {
    let current = topic;
    for (const step of this.steps) {
      if (step.predicate === null && step.transformation instanceof RegexRouter) current = (step.transformation.apply({ topic: current } as R) as R).topic;
    }
    return current;
  }

  close(): void {
    for (const step of this.steps) {
      step.transformation.close?.();
      step.predicate?.predicate.close?.();
    }
  }
}

/**
 * Builds the chain from a connector config, as Kafka Connect reads it:
 * `transforms=a,b`; `transforms.a.type=<type>`; `transforms.a.<key>=...` (the
 * transformation's own keys); `transforms.a.predicate=<p>` and `transforms.a.negate=true`;
 * `predicates=p`; `predicates.p.type=<type>`; `predicates.p.<key>=...`.
 * Throws the first problem as a `TransformConfigError` naming the full config key (see
 * `validateTransformsConfig` for all of them).
 */
export function buildTransformChain<R extends ConnectRecord = ConnectRecord>(
  config: Readonly<Record<string, string>>,
  registry: TransformRegistry = createDefaultTransformRegistry(),
): TransformChain<R> {
  const { steps, errors } = readChain<R>(config, registry);
  if (errors.length > 0) throw errors[0];
  return new TransformChain<R>(steps);
}

/**
 * Every transform and predicate problem of a connector config, by full config key
 * (the REST validate response attaches each message to its key). Empty when valid.
 */
export function validateTransformsConfig(config: Readonly<Record<string, string>>, registry: TransformRegistry = createDefaultTransformRegistry()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const error of readChain(config, registry).errors) {
    if (out[error.key] === undefined) out[error.key] = error.message;
  }
  return out;
}

function aliasesOf(config: Readonly<Record<string, string>>, key: string, errors: TransformConfigError[]): string[] {
  const raw = config[key] ?? '';
  const aliases = raw
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (new Set(aliases).size !== aliases.length) {
    errors.push(TransformConfigError.invalid(key, raw, 'Duplicate alias provided.'));
    return [...new Set(aliases)];
  }
  return aliases;
}

/** The sub-config under `prefix` without `prefix` and the framework keys in `omit`. */
function ownConfig(config: Readonly<Record<string, string>>, prefix: string, omit: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    if (rest !== '' && !omit.includes(rest)) out[rest] = v;
  }
  return out;
}

/** Configures `instance`, rethrowing its config errors under `prefix`. */
function configureUnder(instance: { configure(config: Record<string, string>): void }, config: Record<string, string>, prefix: string, typeKey: string, type: string): TransformConfigError | null {
  try {
    instance.configure(config);
    return null;
  } catch (e) {
    if (e instanceof TransformConfigError) return e.withPrefix(prefix);
    return TransformConfigError.invalid(typeKey, type, `Failed to configure: ${errorMessage(e)}`);
  }
}

function readChain<R extends ConnectRecord>(config: Readonly<Record<string, string>>, registry: TransformRegistry): { steps: TransformStep<R>[]; errors: TransformConfigError[] } {
  const errors: TransformConfigError[] = [];

  const predicates = new Map<string, { type: string; predicate: Predicate<R> }>();
  for (const alias of aliasesOf(config, 'predicates', errors)) {
    const prefix = `predicates.${alias}.`;
    const typeKey = `${prefix}type`;
    const type = (config[typeKey] ?? '').trim();
    if (type === '') {
      errors.push(TransformConfigError.missing(typeKey));
      continue;
    }
    const factory = registry.predicate(type);
    if (factory === undefined) {
      errors.push(TransformConfigError.invalid(typeKey, type, `Class ${type} could not be found.`));
      continue;
    }
    const predicate = factory<R>();
    const error = configureUnder(predicate, ownConfig(config, prefix, ['type']), prefix, typeKey, type);
    if (error !== null) errors.push(error);
    else predicates.set(alias, { type, predicate });
  }

  const steps: TransformStep<R>[] = [];
  for (const alias of aliasesOf(config, 'transforms', errors)) {
    const prefix = `transforms.${alias}.`;
    const typeKey = `${prefix}type`;
    const type = (config[typeKey] ?? '').trim();
    let failed = false;
    let transformation: Transformation<R> | null = null;
    if (type === '') {
      errors.push(TransformConfigError.missing(typeKey));
      failed = true;
    } else {
      const factory = registry.transformation(type);
      if (factory === undefined) {
        errors.push(TransformConfigError.invalid(typeKey, type, `Class ${type} could not be found.`));
        failed = true;
      } else {
        transformation = factory<R>();
        const error = configureUnder(transformation, ownConfig(config, prefix, ['type', 'predicate', 'negate']), prefix, typeKey, type);
        if (error !== null) {
          errors.push(error);
          failed = true;
        }
      }
    }

    const negateKey = `${prefix}negate`;
    const negateText = (config[negateKey] ?? 'false').trim().toLowerCase();
    if (negateText !== 'true' && negateText !== 'false') {
      errors.push(TransformConfigError.invalid(negateKey, config[negateKey] ?? null, 'Expected value to be either true or false'));
      failed = true;
    }

    const predicateKey = `${prefix}predicate`;
    const predicateAlias = (config[predicateKey] ?? '').trim();
    let predicate: TransformStep<R>['predicate'] = null;
    if (predicateAlias !== '') {
      const found = predicates.get(predicateAlias);
      if (found === undefined) {
        const declared = aliasesOf(config, 'predicates', []).includes(predicateAlias);
        if (!declared) errors.push(TransformConfigError.invalid(predicateKey, predicateAlias, `Predicate ${predicateAlias} is not defined in "predicates".`));
        failed = true;
      } else {
        predicate = { alias: predicateAlias, ...found };
      }
    }

    if (!failed && transformation !== null) steps.push({ alias, type, transformation, predicate, negate: negateText === 'true' });
  }
  return { steps, errors };
}
