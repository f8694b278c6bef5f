import type { ConnectRecord } from '../record/connect-record';
import { ExtractNewRecordState } from './extract-new-record-state';
import { Filter } from './filter';
import { HasHeaderKey } from './has-header-key';
import { InsertField } from './insert-field';
import { MaskField } from './mask-field';
import type { Predicate } from './predicate';
import { RecordIsTombstone } from './record-is-tombstone';
import { RegexRouter } from './regex-router';
import { ReplaceField } from './replace-field';
import { TimestampRouter } from './timestamp-router';
import { TopicNameMatches } from './topic-name-matches';
import type { Transformation } from './transformation';

/** Creates a fresh, unconfigured transformation for any record type. */
export type TransformationFactory = <R extends ConnectRecord>() => Transformation<R>;
/** Creates a fresh, unconfigured predicate for any record type. */
export type PredicateFactory = <R extends ConnectRecord>() => Predicate<R>;

const KAFKA_TRANSFORMS = 'org.apache.kafka.connect.transforms.';
const KAFKA_PREDICATES = 'org.apache.kafka.connect.transforms.predicates.';

/**
 * The transformation and predicate types a connector config may name in
 * `transforms.<alias>.type` / `predicates.<alias>.type`: Kafka's class names
 * (`org.apache.kafka.connect.transforms.InsertField$Value`), Debezium's
 * (`io.debezium.transforms.ExtractNewRecordState`) and short names (`InsertField$Value`,
 * `RegexRouter`). A bare `InsertField` / `ReplaceField` / `MaskField` means the `$Value`
 * variant. Lookups are exact (case-sensitive), as Java class names are.
 */
export class TransformRegistry {
  private readonly transformations = new Map<string, TransformationFactory>();
  private readonly predicates = new Map<string, PredicateFactory>();

  registerTransformation(names: readonly string[], factory: TransformationFactory): this {
    for (const name of names) this.transformations.set(name, factory);
    return this;
  }

  registerPredicate(names: readonly string[], factory: PredicateFactory): this {
    for (const name of names) this.predicates.set(name, factory);
    return this;
  }

  transformation(name: string): TransformationFactory | undefined {
    return this.transformations.get(name);
  }

  predicate(name: string): PredicateFactory | undefined {
    return this.predicates.get(name);
  }

  transformationNames(): string[] {
    return [...this.transformations.keys()];
  }

  predicateNames(): string[] {
    return [...this.predicates.keys()];
  }
}

function sided(registry: TransformRegistry, short: string, make: (side: 'key' | 'value') => TransformationFactory): void {
  registry.registerTransformation([`${KAFKA_TRANSFORMS}${short}$Key`, `${short}$Key`], make('key'));
  registry.registerTransformation([`${KAFKA_TRANSFORMS}${short}$Value`, `${short}$Value`, short], make('value'));
}

/** A registry with every built-in transformation and predicate. */
export function createDefaultTransformRegistry(): TransformRegistry {
  const registry = new TransformRegistry();
  sided(registry, 'InsertField', (side) => <R extends ConnectRecord>() => new InsertField<R>(side));
  sided(registry, 'ReplaceField', (side) => <R extends ConnectRecord>() => new ReplaceField<R>(side));
  sided(registry, 'MaskField', (side) => <R extends ConnectRecord>() => new MaskField<R>(side));
  registry.registerTransformation([`${KAFKA_TRANSFORMS}RegexRouter`, 'RegexRouter'], <R extends ConnectRecord>() => new RegexRouter<R>());
  registry.registerTransformation([`${KAFKA_TRANSFORMS}TimestampRouter`, 'TimestampRouter'], <R extends ConnectRecord>() => new TimestampRouter<R>());
  registry.registerTransformation([`${KAFKA_TRANSFORMS}Filter`, 'Filter'], <R extends ConnectRecord>() => new Filter<R>());
  registry.registerTransformation(['io.debezium.transforms.ExtractNewRecordState', 'ExtractNewRecordState'], <R extends ConnectRecord>() => new ExtractNewRecordState<R>());
  registry.registerPredicate([`${KAFKA_PREDICATES}TopicNameMatches`, 'TopicNameMatches'], <R extends ConnectRecord>() => new TopicNameMatches<R>());
  registry.registerPredicate([`${KAFKA_PREDICATES}HasHeaderKey`, 'HasHeaderKey'], <R extends ConnectRecord>() => new HasHeaderKey<R>());
  registry.registerPredicate([`${KAFKA_PREDICATES}RecordIsTombstone`, 'RecordIsTombstone'], <R extends ConnectRecord>() => new RecordIsTombstone<R>());
  return registry;
}
