import type { ConfigDef } from './config-def';
import { parseConfig, parseConfigValue } from './config-parser';
import { configErrorMessages, describeConfigErrors, validateConfig } from './config-validator';
import { atLeast } from './common-validators';

const DEF: ConfigDef = {
  groups: ['Connection'],
  keys: [
    { name: 'connection.url', type: 'STRING', importance: 'HIGH', documentation: 'JDBC URL.', group: 'Connection', orderInGroup: 1, displayName: 'JDBC URL', width: 'LONG' },
    { name: 'connection.password', type: 'PASSWORD', importance: 'HIGH', documentation: 'Password.', default: null, group: 'Connection', orderInGroup: 2 },
    { name: 'poll.interval.ms', type: 'LONG', importance: 'MEDIUM', documentation: 'Poll interval.', default: 5000, validator: atLeast(1), group: 'Mode' },
    { name: 'batch.max.rows', type: 'INT', importance: 'LOW', documentation: 'Rows per batch.', default: '100' },
    { name: 'ratio', type: 'DOUBLE', importance: 'LOW', documentation: 'A ratio.', default: 1 },
    { name: 'validate.non.null', type: 'BOOLEAN', importance: 'LOW', documentation: 'Check.', default: true },
    { name: 'table.whitelist', type: 'LIST', importance: 'MEDIUM', documentation: 'Tables.', default: '', dependents: ['mode'] },
    { name: 'mode', type: 'STRING', importance: 'HIGH', documentation: 'Mode.', default: 'bulk', allowedValues: ['bulk', 'incrementing', 'timestamp'] },
  ],
};

describe('parseConfigValue', () => {
  const key = (type: 'INT' | 'LONG' | 'DOUBLE' | 'BOOLEAN' | 'LIST' | 'STRING' | 'PASSWORD') => ({ name: 'k', type, importance: 'LOW' as const, documentation: '' });

  it('parses by type with Kafka wording on failure', () => {
    expect(parseConfigValue(key('INT'), ' 42 ')).toEqual({ value: 42 });
    expect(parseConfigValue(key('INT'), '2147483648')).toEqual({ error: 'Invalid value 2147483648 for configuration k: Not a number of type INT' });
    expect(parseConfigValue(key('LONG'), '9007199254740993')).toEqual({ value: 9007199254740992 });
    expect(parseConfigValue(key('LONG'), '9223372036854775808')).toEqual({ error: 'Invalid value 9223372036854775808 for configuration k: Not a number of type LONG' });
    expect(parseConfigValue(key('LONG'), '1.5')).toEqual({ error: 'Invalid value 1.5 for configuration k: Not a number of type LONG' });
    expect(parseConfigValue(key('DOUBLE'), '1e3')).toEqual({ value: 1000 });
    expect(parseConfigValue(key('DOUBLE'), 'NaN')).toEqual({ error: 'Invalid value NaN for configuration k: Not a number of type DOUBLE' });
    expect(parseConfigValue(key('BOOLEAN'), 'TRUE')).toEqual({ value: true });
    expect(parseConfigValue(key('BOOLEAN'), 'yes')).toEqual({ error: 'Invalid value yes for configuration k: Expected value to be either true or false' });
    expect(parseConfigValue(key('LIST'), ' a, b ,,c ,')).toEqual({ value: ['a', 'b', 'c'] });
    expect(parseConfigValue(key('LIST'), '  ')).toEqual({ value: [] });
    expect(parseConfigValue(key('STRING'), ' x ')).toEqual({ value: 'x' });
    expect(parseConfigValue(key('INT'), '')).toEqual({ error: 'Invalid value  for configuration k: Not a number of type INT' });
  });
});

describe('parseConfig', () => {
  it('applies defaults (string defaults parsed) and reports every error per key', () => {
    const { parsed, errors } = parseConfig(DEF, { 'poll.interval.ms': 'abc', 'table.whitelist': 'a, b', mode: 'never', extra: 'kept elsewhere' });
    expect(parsed).toEqual({
      'connection.url': null,
      'connection.password': null,
      'poll.interval.ms': null,
      'batch.max.rows': 100,
      ratio: 1,
      'validate.non.null': true,
      'table.whitelist': ['a', 'b'],
      mode: 'never',
    });
    expect(errors).toEqual({
      'connection.url': ['Missing required configuration "connection.url" which has no default value.'],
      'poll.interval.ms': ['Invalid value abc for configuration poll.interval.ms: Not a number of type LONG'],
      mode: ['Invalid value never for configuration mode: String must be one of: bulk, incrementing, timestamp'],
    });
  });

  it('treats a blank required value as missing and wraps validator reasons', () => {
    const { errors } = parseConfig(DEF, { 'connection.url': '   ', 'poll.interval.ms': '0' });
    expect(errors['connection.url']).toEqual(['Missing required configuration "connection.url" which has no default value.']);
    expect(errors['poll.interval.ms']).toEqual(['Invalid value 0 for configuration poll.interval.ms: Value must be at least 1']);
  });

  it('keeps full validator messages as they are', () => {
    const def: ConfigDef = { keys: [{ name: 'x', type: 'INT', importance: 'LOW', documentation: '', default: 1, validator: () => 'Invalid value 1 for configuration x: nope' }] };
    expect(parseConfig(def, {}).errors).toEqual({ x: ['Invalid value 1 for configuration x: nope'] });
  });

  it('never echoes a password in messages', () => {
    const def: ConfigDef = { keys: [{ name: 'p', type: 'PASSWORD', importance: 'LOW', documentation: '', default: null, validator: () => 'too short' }] };
    expect(parseConfig(def, { p: 's3cret' }).errors).toEqual({ p: ['Invalid value [hidden] for configuration p: too short'] });
  });
});

describe('validateConfig', () => {
  it('answers in Kafka Connect ConfigInfos shape', () => {
    const infos = validateConfig(DEF, {
      'connector.class': 'JdbcSourceConnector',
      'connection.url': 'jdbc:postgresql://h/db',
      'connection.password': 'secret',
      'poll.interval.ms': 'abc',
    });
    expect(infos.name).toBe('JdbcSourceConnector');
    expect(infos.error_count).toBe(1);
    expect(infos.groups).toEqual(['Connection', 'Mode']);
    expect(infos.configs).toHaveLength(DEF.keys.length);
    expect(infos.configs[0]).toEqual({
      definition: {
        name: 'connection.url',
        type: 'STRING',
        required: true,
        default_value: null,
        importance: 'HIGH',
        documentation: 'JDBC URL.',
        group: 'Connection',
        width: 'LONG',
        display_name: 'JDBC URL',
        dependents: [],
        order: 1,
      },
      value: { name: 'connection.url', value: 'jdbc:postgresql://h/db', recommended_values: [], errors: [], visible: true },
    });
    expect(infos.configs[1].value.value).toBe('[hidden]');
    expect(infos.configs[1].definition?.default_value).toBeNull();
    expect(infos.configs[2]).toEqual({
      definition: expect.objectContaining({ name: 'poll.interval.ms', type: 'LONG', required: false, default_value: '5000', group: 'Mode', width: 'NONE', display_name: 'poll.interval.ms', order: -1 }),
      value: { name: 'poll.interval.ms', value: null, recommended_values: [], errors: ['Invalid value abc for configuration poll.interval.ms: Not a number of type LONG'], visible: true },
    });
    const byName = Object.fromEntries(infos.configs.map((c) => [c.value.name, c]));
    expect(byName['batch.max.rows'].value.value).toBe('100');
    expect(byName['ratio'].definition?.default_value).toBe('1.0');
    expect(byName['validate.non.null'].value.value).toBe('true');
    expect(byName['table.whitelist'].definition?.default_value).toBe('');
    expect(byName['table.whitelist'].definition?.dependents).toEqual(['mode']);
    expect(byName['mode'].value.recommended_values).toEqual(['bulk', 'incrementing', 'timestamp']);
    expect(JSON.parse(JSON.stringify(infos))).toEqual(infos);
  });

  it('adds extra errors, listing unknown keys first with a null definition', () => {
    const infos = validateConfig(DEF, { 'connection.url': 'u', other: 'v' }, { mode: 'bad combination', other: ['x', 'y'] }, { name: 'P' });
    expect(infos.name).toBe('P');
    expect(infos.error_count).toBe(3);
    expect(infos.configs[0]).toEqual({ definition: null, value: { name: 'other', value: 'v', recommended_values: [], errors: ['x', 'y'], visible: true } });
    expect(infos.configs.find((c) => c.value.name === 'mode')?.value.errors).toEqual(['bad combination']);
    expect(configErrorMessages(infos)).toEqual(['x', 'y', 'bad combination']);
  });

  it('formats the 400 message of create/update', () => {
    const infos = validateConfig(DEF, {});
    expect(describeConfigErrors(infos)).toBe(
      'Connector configuration is invalid and contains the following 1 error(s):\n' +
        'Missing required configuration "connection.url" which has no default value.\n' +
        'You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`',
    );
  });
});
