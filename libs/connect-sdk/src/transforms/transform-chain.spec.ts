import type { ConnectRecord, SinkRecord } from '../record/connect-record';
import { primitiveSchema, sinkRecord, structSchema } from '../testing/record-builders';
import { TransformChain, buildTransformChain, validateTransformsConfig } from './transform-chain';
import { TransformConfigError } from './transform-config-error';
import { TransformRegistry, createDefaultTransformRegistry } from './transform-registry';
import type { Transformation } from './transformation';

describe('TransformChain', () => {
  it('builds from Kafka Connect config keys and applies in order, keeping the record type', () => {
    const chain = buildTransformChain<SinkRecord>({
      transforms: 'route, addTopic',
      'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
      'transforms.route.regex': 'db\\.(.*)',
      'transforms.route.replacement': '$1',
      'transforms.addTopic.type': 'org.apache.kafka.connect.transforms.InsertField$Value',
      'transforms.addTopic.topic.field': 'src_topic',
    });
    expect(chain.steps.map((s) => s.alias)).toEqual(['route', 'addTopic']);
    const schema = structSchema([['id', primitiveSchema('int32')]]);
    const out = chain.apply(sinkRecord({ topic: 'db.orders', kafkaOffset: 12, valueSchema: schema, value: { id: 1 } }));
    expect(out?.topic).toBe('orders');
    expect(out?.kafkaOffset).toBe(12);
    expect(out?.value).toEqual({ id: 1, src_topic: 'orders' });
  });

  it('an empty config gives an identity chain', () => {
    const rec = sinkRecord({ value: 1 });
    expect(buildTransformChain({}).apply(rec)).toBe(rec);
  });

  describe('predicates', () => {
    const config = {
      transforms: 'dropTombstones',
      'transforms.dropTombstones.type': 'org.apache.kafka.connect.transforms.Filter',
      'transforms.dropTombstones.predicate': 'isTombstone',
      predicates: 'isTombstone',
      'predicates.isTombstone.type': 'org.apache.kafka.connect.transforms.predicates.RecordIsTombstone',
    };

    it('applies a transform only where its predicate holds', () => {
      const chain = buildTransformChain(config);
      expect(chain.apply(sinkRecord({ value: null }))).toBeNull();
      expect(chain.apply(sinkRecord({ value: 'x' }))).not.toBeNull();
    });

    it('negate=true inverts the predicate', () => {
      const chain = buildTransformChain({ ...config, 'transforms.dropTombstones.negate': 'true' });
      expect(chain.apply(sinkRecord({ value: null }))).not.toBeNull();
      expect(chain.apply(sinkRecord({ value: 'x' }))).toBeNull();
    });

    it('predicates take their own config', () => {
      const chain = buildTransformChain({
        transforms: 'f',
        'transforms.f.type': 'Filter',
        'transforms.f.predicate': 'noisy',
        predicates: 'noisy',
        'predicates.noisy.type': 'TopicNameMatches',
        'predicates.noisy.pattern': 'debug-.*',
      });
      expect(chain.apply(sinkRecord({ topic: 'debug-1' }))).toBeNull();
      expect(chain.apply(sinkRecord({ topic: 'orders' }))).not.toBeNull();
    });
  });

  describe('errors name the config key', () => {
    const cases: Array<[string, Record<string, string>, string, string]> = [
      ['missing type', { transforms: 'a' }, 'transforms.a.type', 'Missing required configuration "transforms.a.type" which has no default value.'],
      ['unknown type', { transforms: 'a', 'transforms.a.type': 'com.acme.Nope' }, 'transforms.a.type', 'Invalid value com.acme.Nope for configuration transforms.a.type: Class com.acme.Nope could not be found.'],
      ['transform key', { transforms: 'a', 'transforms.a.type': 'RegexRouter', 'transforms.a.regex': 'x' }, 'transforms.a.replacement', 'Missing required configuration "transforms.a.replacement" which has no default value.'],
      ['bad negate', { transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.negate': 'maybe' }, 'transforms.a.negate', 'Invalid value maybe for configuration transforms.a.negate: Expected value to be either true or false'],
      ['undeclared predicate', { transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.predicate': 'p' }, 'transforms.a.predicate', 'Invalid value p for configuration transforms.a.predicate: Predicate p is not defined in "predicates".'],
      ['predicate type', { predicates: 'p', 'predicates.p.type': 'Nope' }, 'predicates.p.type', 'Invalid value Nope for configuration predicates.p.type: Class Nope could not be found.'],
      ['predicate key', { predicates: 'p', 'predicates.p.type': 'HasHeaderKey' }, 'predicates.p.name', 'Missing required configuration "predicates.p.name" which has no default value.'],
      ['duplicate alias', { transforms: 'a,a', 'transforms.a.type': 'Filter' }, 'transforms', 'Invalid value a,a for configuration transforms: Duplicate alias provided.'],
    ];

    it.each(cases)('%s', (_name, config, key, message) => {
      let thrown: unknown;
      try {
        buildTransformChain(config);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(TransformConfigError);
      expect(thrown).toMatchObject({ key, message });
      expect(validateTransformsConfig(config)).toMatchObject({ [key]: message });
    });

    it('validateTransformsConfig collects every problem', () => {
      const errors = validateTransformsConfig({ transforms: 'a,b', 'transforms.a.type': 'Nope', 'transforms.b.type': 'MaskField$Key' });
      expect(Object.keys(errors).sort()).toEqual(['transforms.a.type', 'transforms.b.fields']);
      expect(validateTransformsConfig({ transforms: 'a', 'transforms.a.type': 'Filter' })).toEqual({});
    });

    it('a predicate that failed to configure is reported once, on its own key', () => {
      const errors = validateTransformsConfig({ transforms: 'a', 'transforms.a.type': 'Filter', 'transforms.a.predicate': 'p', predicates: 'p', 'predicates.p.type': 'TopicNameMatches' });
      expect(errors).toEqual({ 'predicates.p.pattern': 'Missing required configuration "predicates.p.pattern" which has no default value.' });
    });
  });

  it('accepts Kafka class names, $Key/$Value variants and short names', () => {
    const names = createDefaultTransformRegistry().transformationNames();
    for (const n of [
      'org.apache.kafka.connect.transforms.InsertField$Key',
      'org.apache.kafka.connect.transforms.ReplaceField$Value',
      'org.apache.kafka.connect.transforms.MaskField$Key',
      'org.apache.kafka.connect.transforms.TimestampRouter',
      'io.debezium.transforms.ExtractNewRecordState',
      'MaskField',
    ]) {
      expect(names).toContain(n);
    }
  });

  it('a custom registry can add transformations; close() closes each step', () => {
    const closed: string[] = [];
    const upper = <R extends ConnectRecord>(): Transformation<R> => ({
      configDef: { keys: [] },
      configure: () => undefined,
      apply: (r: R) => ({ ...r, topic: r.topic.toUpperCase() }),
      close: () => void closed.push('upper'),
    });
    const registry = new TransformRegistry().registerTransformation(['Upper'], upper);
    const chain: TransformChain = buildTransformChain({ transforms: 'u', 'transforms.u.type': 'Upper' }, registry);
    expect(chain.apply(sinkRecord({ topic: 'abc' }))?.topic).toBe('ABC');
    chain.close();
    expect(closed).toEqual(['upper']);
  });
});
