import type { ConfigDef } from './config-def';
import { parseConfig } from './config-parser';
import { validateConfig } from './config-validator';
import { commonConnectorConfigDef, mergeConfigDefs, validateSinkTopics } from './connector-config';

describe('commonConnectorConfigDef', () => {
  it('source: Kafka Connect keys, groups and defaults', () => {
    const def = commonConnectorConfigDef('source');
    expect(def.keys.map((k) => k.name)).toEqual([
      'name',
      'connector.class',
      'tasks.max',
      'key.converter',
      'value.converter',
      'header.converter',
      'transforms',
      'predicates',
      'errors.retry.timeout',
      'errors.retry.delay.max.ms',
      'errors.tolerance',
      'errors.log.enable',
      'errors.log.include.messages',
      'exactly.once.support',
      'transaction.boundary',
      'transaction.boundary.interval.ms',
    ]);
    expect(def.groups).toEqual(['Common', 'Transforms', 'Predicates', 'Error Handling', 'Exactly Once Support']);
    const { parsed, errors } = parseConfig(def, { name: 'c1', 'connector.class': 'jdbc-source' });
    expect(errors).toEqual({});
    expect(parsed).toEqual({
      name: 'c1',
      'connector.class': 'jdbc-source',
      'tasks.max': 1,
      'key.converter': null,
      'value.converter': null,
      'header.converter': null,
      transforms: [],
      predicates: [],
      'errors.retry.timeout': 0,
      'errors.retry.delay.max.ms': 60000,
      'errors.tolerance': 'none',
      'errors.log.enable': false,
      'errors.log.include.messages': false,
      'exactly.once.support': 'requested',
      'transaction.boundary': 'poll',
      'transaction.boundary.interval.ms': null,
    });
    expect(parseConfig(def, { name: 'c1', 'connector.class': 'x', 'exactly.once.support': 'sometimes', 'transaction.boundary': 'commit' }).errors).toEqual({
      'exactly.once.support': [expect.stringContaining('sometimes')],
      'transaction.boundary': [expect.stringContaining('commit')],
    });
    expect(commonConnectorConfigDef('sink').keys.map((k) => k.name)).not.toContain('exactly.once.support');
  });

  it('sink adds topics, topics.regex and the dead letter queue keys', () => {
    const names = commonConnectorConfigDef('sink').keys.map((k) => k.name);
    expect(names.slice(0, 6)).toEqual(['name', 'connector.class', 'tasks.max', 'topics', 'topics.regex', 'key.converter']);
    expect(names).toEqual(
      expect.arrayContaining(['errors.deadletterqueue.topic.name', 'errors.deadletterqueue.topic.replication.factor', 'errors.deadletterqueue.context.headers.enable']),
    );
    expect(commonConnectorConfigDef('source').keys.map((k) => k.name)).not.toContain('topics');
  });

  it('validates the runtime keys with Kafka wording', () => {
    const infos = validateConfig(commonConnectorConfigDef('sink'), { 'connector.class': 'x', 'tasks.max': '0', 'errors.tolerance': 'some', 'topics.regex': '(' });
    const errors = Object.fromEntries(infos.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors]));
    expect(errors).toEqual({
      name: ['Missing required configuration "name" which has no default value.'],
      'tasks.max': ['Invalid value 0 for configuration tasks.max: Value must be at least 1'],
      'errors.tolerance': ['Invalid value some for configuration errors.tolerance: String must be one of (case insensitive): none, all'],
      'topics.regex': [expect.stringMatching(/^Invalid value \( for configuration topics\.regex: Not a valid regular expression/)],
    });
    expect(infos.configs.find((c) => c.value.name === 'errors.tolerance')?.value.recommended_values).toEqual(['none', 'all']);
  });
});

describe('mergeConfigDefs', () => {
  it('appends plugin keys, replaces redefined keys in place, unions groups', () => {
    const plugin: ConfigDef = {
      groups: ['Database'],
      keys: [
        { name: 'connection.url', type: 'STRING', importance: 'HIGH', documentation: 'URL', group: 'Database' },
        { name: 'tasks.max', type: 'INT', importance: 'HIGH', documentation: 'plugin doc', default: 2, group: 'Common' },
      ],
    };
    const merged = mergeConfigDefs(commonConnectorConfigDef('source'), plugin);
    expect(merged.groups).toEqual(['Common', 'Transforms', 'Predicates', 'Error Handling', 'Exactly Once Support', 'Database']);
    expect(merged.keys[2]).toBe(plugin.keys[1]);
    expect(merged.keys[merged.keys.length - 1].name).toBe('connection.url');
    expect(merged.keys.filter((k) => k.name === 'tasks.max')).toHaveLength(1);
  });
});

describe('validateSinkTopics', () => {
  it('needs exactly one of topics and topics.regex', () => {
    expect(validateSinkTopics({ topics: 'a,b' })).toEqual({});
    expect(validateSinkTopics({ 'topics.regex': 'a.*' })).toEqual({});
    expect(validateSinkTopics({})).toEqual({ topics: 'Must configure one of topics or topics.regex', 'topics.regex': 'Must configure one of topics or topics.regex' });
    expect(validateSinkTopics({ topics: 'a', 'topics.regex': 'b' }).topics).toBe('topics and topics.regex are mutually exclusive options, but both are set.');
  });

  it('rejects a dead letter queue among the consumed topics', () => {
    expect(validateSinkTopics({ topics: 'a, dlq', 'errors.deadletterqueue.topic.name': 'dlq' })).toEqual({
      'errors.deadletterqueue.topic.name': "The DLQ topic 'dlq' may not be included in the topics consumed by the connector",
    });
    expect(validateSinkTopics({ 'topics.regex': 'd.*', 'errors.deadletterqueue.topic.name': 'dlq' })).toHaveProperty(['errors.deadletterqueue.topic.name']);
    expect(validateSinkTopics({ topics: 'a', 'errors.deadletterqueue.topic.name': 'dlq' })).toEqual({});
  });
});
