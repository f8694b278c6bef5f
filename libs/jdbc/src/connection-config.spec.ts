import { parseConfig } from '@millrace/connect-sdk';
import { jdbcConnectionConfigKeys, readJdbcConnectionConfig } from './connection-config';

describe('JDBC connection config', () => {
  const def = { keys: jdbcConnectionConfigKeys({ group: 'Connection', requireDatabase: true }) };

  it("declares Confluent's keys and defaults in the connector's group", () => {
    expect(def.keys.map((k) => [k.name, k.type, k.default, k.group])).toEqual([
      ['connection.url', 'STRING', undefined, 'Connection'],
      ['connection.user', 'STRING', null, 'Connection'],
      ['connection.password', 'PASSWORD', null, 'Connection'],
      ['connection.attempts', 'INT', 3, 'Connection'],
      ['connection.backoff.ms', 'LONG', 10000, 'Connection'],
    ]);
  });

  it('reads the settings; explicit credentials win over the URL ones', () => {
    const { parsed, errors } = parseConfig(def, { 'connection.url': 'jdbc:mysql://h/shop?user=u&password=p', 'connection.password': 'x' });
    expect(errors).toEqual({});
    expect(readJdbcConnectionConfig(parsed)).toMatchObject({ url: { driver: 'mysql', host: 'h', database: 'shop' }, user: 'u', password: 'x', connectionAttempts: 3, connectionBackoffMs: 10000 });
  });

  it('checks the URL, the database when required, and the retry numbers', () => {
    const { errors } = parseConfig(def, { 'connection.url': 'jdbc:mysql://h', 'connection.attempts': '0', 'connection.backoff.ms': '-1' });
    expect(errors['connection.url']).toEqual([expect.stringMatching(/must name a database/)]);
    expect(errors['connection.attempts']).toEqual(['Invalid value 0 for configuration connection.attempts: Value must be at least 1']);
    expect(errors['connection.backoff.ms']).toEqual(['Invalid value -1 for configuration connection.backoff.ms: Value must be at least 0']);
    const anyDatabase = { keys: jdbcConnectionConfigKeys({ group: 'Database' }) };
    expect(parseConfig(anyDatabase, { 'connection.url': 'jdbc:mysql://h' }).errors).toEqual({});
    expect(parseConfig(anyDatabase, { 'connection.url': 'jdbc:db2://h/x' }).errors['connection.url']).toEqual([expect.stringMatching(/unsupported JDBC subprotocol/)]);
  });
});
