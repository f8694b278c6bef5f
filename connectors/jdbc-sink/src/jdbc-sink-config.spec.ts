import { JdbcSinkConfigError, parseJdbcSinkConfig, tableNameFor, validateJdbcSinkConfig } from './jdbc-sink-config';

const URL = 'jdbc:postgresql://localhost:5432/db';

describe('JDBC sink config', () => {
  it('applies Confluent defaults', () => {
    const cfg = parseJdbcSinkConfig({ 'connection.url': URL });
    expect(cfg).toMatchObject({
      insertMode: 'insert',
      pkMode: 'none',
      pkFields: [],
      batchSize: 3000,
      deleteEnabled: false,
      autoCreate: false,
      autoEvolve: false,
      tableNameFormat: '${topic}',
      connectionAttempts: 3,
    });
  });

  it('lets connection.user/password override the URL ones', () => {
    const cfg = parseJdbcSinkConfig({ 'connection.url': `${URL}?user=a&password=b`, 'connection.user': 'c' });
    expect(cfg.user).toBe('c');
    expect(cfg.password).toBe('b');
  });

  it('parses typed values and lists', () => {
    const cfg = parseJdbcSinkConfig({
      'connection.url': URL,
      'insert.mode': 'upsert',
      'pk.mode': 'record_value',
      'pk.fields': ' id , region ,',
      'batch.size': '500',
      'auto.create': 'TRUE',
    });
    expect(cfg.pkFields).toEqual(['id', 'region']);
    expect(cfg.batchSize).toBe(500);
    expect(cfg.autoCreate).toBe(true);
  });

  it('reports missing, malformed and cross-field errors by key', () => {
    expect(validateJdbcSinkConfig({}).errors['connection.url']).toMatch(/Missing required configuration "connection.url"/);
    expect(validateJdbcSinkConfig({ 'connection.url': 'jdbc:mysql://h:3306' }).errors['connection.url']).toMatch(/must name a database/);
    const { errors } = validateJdbcSinkConfig({
      'connection.url': 'jdbc:oracle://h/d',
      'batch.size': 'x',
      'insert.mode': 'merge',
      'delete.enabled': 'true',
      'pk.mode': 'record_value',
    });
    expect(errors['connection.url']).toMatch(/unsupported/);
    expect(errors['batch.size']).toMatch(/Not a number/);
    expect(errors['insert.mode']).toMatch(/String must be one of: insert, upsert, update/);
    expect(errors['delete.enabled']).toMatch(/only supported for pk.mode record_key/);
    expect(validateJdbcSinkConfig({ 'connection.url': URL, 'insert.mode': 'upsert' }).errors['insert.mode']).toMatch(/needs a primary key/);
    expect(validateJdbcSinkConfig({ 'connection.url': URL, 'pk.mode': 'kafka', 'pk.fields': 'a,b' }).errors['pk.fields']).toMatch(/exactly three/);
    expect(() => parseJdbcSinkConfig({ 'connection.url': URL, 'delete.enabled': 'true' })).toThrow(JdbcSinkConfigError);
  });

  it('formats table names from the topic', () => {
    expect(tableNameFor('${topic}', 'orders')).toBe('orders');
    expect(tableNameFor('kafka_${topic}_v${topic}', 'o')).toBe('kafka_o_vo');
  });
});
