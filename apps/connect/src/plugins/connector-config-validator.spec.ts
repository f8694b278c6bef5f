import type { ConnectorPlugin } from '@millrace/connect-sdk';
import { validateConnectorConfig } from './connector-config-validator';

const plugin = (type: 'source' | 'sink'): ConnectorPlugin => ({
  name: 'TestPlugin',
  aliases: [],
  type,
  version: '1',
  configDef: { keys: [{ name: 'db.url', type: 'STRING', importance: 'HIGH', documentation: 'url', group: 'Connection' }] },
  validate: (config): Record<string, string> => (config['db.url']?.startsWith('jdbc:') ? {} : { 'db.url': 'must start with jdbc:' }),
  createConnector: () => {
    throw new Error('unused');
  },
  createTask: () => {
    throw new Error('unused');
  },
});

describe('validateConnectorConfig', () => {
  test('a valid source config has no errors; runtime keys come first, then the plugin groups', () => {
    const v = validateConnectorConfig(plugin('source'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x' });
    expect(v.messages).toEqual([]);
    expect(v.infos.error_count).toBe(0);
    expect(v.infos.name).toBe('TestPlugin');
    expect(v.infos.configs[0].definition?.name).toBe('name');
    expect(v.infos.groups).toEqual(['Common', 'Transforms', 'Predicates', 'Error Handling', 'Exactly Once Support', 'Connection']);
    expect(v.parsed['tasks.max']).toBe(1);
  });

  test('errors name their keys: required, type, allowed values, converter, plugin check', () => {
    const v = validateConnectorConfig(plugin('source'), { name: 'c', 'connector.class': 'TestPlugin', 'tasks.max': 'two', 'errors.tolerance': 'some', 'value.converter': 'protobuf' });
    expect(v.messages).toEqual([
      'Invalid value two for configuration tasks.max: Not a number of type INT',
      expect.stringContaining('value.converter'),
      expect.stringContaining('errors.tolerance'),
      'Missing required configuration "db.url" which has no default value.',
    ]);
    expect(v.infos.error_count).toBe(4);
    expect(validateConnectorConfig(plugin('source'), { 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x' }).messages).toEqual(['Missing required configuration "name" which has no default value.']);
    const ok = validateConnectorConfig(plugin('source'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'pg://' });
    expect(ok.messages).toEqual(['db.url: must start with jdbc:']);
  });

  test('a sink needs exactly one of topics and topics.regex', () => {
    const none = validateConnectorConfig(plugin('sink'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x' });
    expect(none.messages).toEqual(['Must configure one of topics or topics.regex', 'Must configure one of topics or topics.regex']);
    const both = validateConnectorConfig(plugin('sink'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x', topics: 'a', 'topics.regex': 'b.*' });
    expect(both.infos.error_count).toBe(2);
    const one = validateConnectorConfig(plugin('sink'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x', topics: 'a, b' });
    expect(one.messages).toEqual([]);
    expect(one.parsed.topics).toEqual(['a', 'b']);
    const dlq = validateConnectorConfig(plugin('sink'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x', topics: 'a', 'errors.deadletterqueue.topic.name': 'a' });
    expect(dlq.messages[0]).toContain('DLQ topic');
    expect(dlq.infos.configs.find((c) => c.value.name === 'errors.deadletterqueue.topic.name')?.value.errors).toHaveLength(1);
    const transforms = validateConnectorConfig(plugin('sink'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x', topics: 'a', transforms: 't' });
    expect(transforms.messages).toEqual([expect.stringContaining('transforms.t.type')]);
  });

  test('exactly-once keys of a source are checked against the worker (KIP-618 messages)', () => {
    const base = { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x' };
    const errorsOf = (config: Record<string, string>, exactlyOnceSource: boolean) =>
      Object.fromEntries(validateConnectorConfig(plugin('source'), config, { exactlyOnceSource }).infos.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors]));
    expect(errorsOf({ ...base, 'exactly.once.support': 'required' }, false)).toEqual({ 'exactly.once.support': [expect.stringContaining('does not have exactly-once source support enabled')] });
    expect(errorsOf({ ...base, 'exactly.once.support': 'REQUIRED' }, true)).toEqual({});
    expect(errorsOf({ ...base, 'exactly.once.support': 'requested' }, false)).toEqual({});
    expect(errorsOf({ ...base, 'transaction.boundary': 'connector' }, true)).toEqual({ 'transaction.boundary': [expect.stringContaining('connector-defined transaction boundaries')] });
    expect(errorsOf({ ...base, 'transaction.boundary': 'interval' }, true)).toEqual({ 'transaction.boundary': [expect.stringContaining('not supported')] });
    expect(errorsOf({ ...base, 'transaction.boundary': 'poll' }, true)).toEqual({});
    // sinks have no exactly-once keys: the source's checks do not apply
    expect(validateConnectorConfig(plugin('sink'), { name: 'c', 'connector.class': 'TestPlugin', 'db.url': 'jdbc:x', topics: 't' }, { exactlyOnceSource: false }).messages).toEqual([]);
  });
});
