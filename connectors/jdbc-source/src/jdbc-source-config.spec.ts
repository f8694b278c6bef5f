import { crossFieldErrors, JDBC_SOURCE_CONFIG_DEF, JdbcSourceConfigError, parseJdbcSourceConfig } from './jdbc-source-config';

const minimal = { 'connection.url': 'jdbc:mysql://h:3306/shop', mode: 'incrementing', 'topic.prefix': 'p-' };

describe('parseJdbcSourceConfig', () => {
  it('applies Confluent defaults', () => {
    const c = parseJdbcSourceConfig(minimal);
    expect(c).toMatchObject({
      connectionAttempts: 3,
      connectionBackoffMs: 10000,
      mode: 'incrementing',
      incrementingColumn: '',
      timestampColumns: [],
      timestampInitial: null,
      timestampDelayMs: 0,
      validateNonNull: true,
      query: '',
      pollIntervalMs: 5000,
      batchMaxRows: 100,
      tablePollIntervalMs: 60000,
      topicPrefix: 'p-',
      numericMapping: 'none',
      include: [],
      exclude: [],
      catalogPattern: null,
      schemaPattern: null,
      tableTypes: ['TABLE'],
      tables: null,
      user: undefined,
      password: undefined,
    });
    expect(c.url).toMatchObject({ driver: 'mysql', host: 'h', port: 3306, database: 'shop' });
  });

  it('parses every typed key and merges whitelist/include.list', () => {
    const c = parseJdbcSourceConfig({
      ...minimal,
      'connection.url': 'jdbc:postgresql://h/erp?user=u&password=url-pw',
      'connection.password': 'explicit',
      mode: 'timestamp+incrementing',
      'incrementing.column.name': 'id',
      'timestamp.column.name': 'modified, created',
      'timestamp.delay.interval.ms': '2500',
      'timestamp.initial': '-1',
      'validate.non.null': 'false',
      'batch.max.rows': '500',
      'poll.interval.ms': '250',
      'table.whitelist': 'a, b',
      'table.include.list': 'c',
      'table.types': 'table,view',
      'numeric.mapping': 'best_fit',
      tables: '[{"schema":"public","name":"a"}]',
    });
    expect(c).toMatchObject({
      user: 'u',
      password: 'explicit',
      mode: 'timestamp+incrementing',
      timestampColumns: ['modified', 'created'],
      timestampDelayMs: 2500,
      timestampInitial: -1,
      validateNonNull: false,
      batchMaxRows: 500,
      pollIntervalMs: 250,
      include: ['a', 'b', 'c'],
      tableTypes: ['TABLE', 'VIEW'],
      numericMapping: 'best_fit',
      tables: [{ schema: 'public', name: 'a' }],
    });
  });

  it('maps the deprecated numeric.precision.mapping to precision_only', () => {
    expect(parseJdbcSourceConfig({ ...minimal, 'numeric.precision.mapping': 'true' }).numericMapping).toBe('precision_only');
    expect(parseJdbcSourceConfig({ ...minimal, 'numeric.precision.mapping': 'true', 'numeric.mapping': 'none' }).numericMapping).toBe('none');
  });

  it.each([
    [{ mode: '' }, /Missing required configuration "mode"/],
    [{ mode: 'sometimes' }, /mode: must be one of bulk, incrementing, timestamp, timestamp\+incrementing/],
    [{ 'topic.prefix': undefined }, /Missing required configuration "topic.prefix"/],
    [{ 'batch.max.rows': '0' }, /batch.max.rows: must be >= 1/],
    [{ 'poll.interval.ms': 'soon' }, /Invalid value soon for configuration poll.interval.ms/],
    [{ 'validate.non.null': 'yes' }, /Expected value to be either true or false/],
    [{ 'connection.url': 'jdbc:db2://h/x' }, /unsupported JDBC subprotocol/],
    [{ 'numeric.mapping': 'exact' }, /numeric.mapping: must be one of/],
    [{ 'table.types': 'TABLE,SYNONYM' }, /unsupported table type "SYNONYM"/],
    [{ mode: 'timestamp' }, /needs timestamp.column.name/],
    [{ 'table.whitelist': 'a', 'table.blacklist': 'b' }, /may not both be set/],
    [{ tables: '{' }, /not JSON/],
  ])('rejects %j', (override, message) => {
    const raw: Record<string, string> = { ...minimal };
    for (const [k, v] of Object.entries(override)) {
      if (v === undefined) delete raw[k];
      else raw[k] = v;
    }
    expect(() => parseJdbcSourceConfig(raw)).toThrow(JdbcSourceConfigError);
    expect(() => parseJdbcSourceConfig(raw)).toThrow(message);
  });

  it('reports cross-key problems by key', () => {
    expect(crossFieldErrors({ ...minimal, query: 'SELECT 1', 'table.whitelist': 'a' })).toHaveProperty('query');
    expect(crossFieldErrors({ ...minimal, query: 'SELECT 1' })).toEqual({ 'incrementing.column.name': 'mode incrementing with a query needs incrementing.column.name' });
    expect(crossFieldErrors({ ...minimal, 'table.include.list': 'a', 'table.exclude.list': 'b' })).toHaveProperty(['table.blacklist']);
    expect(crossFieldErrors(minimal)).toEqual({});
  });

  it('declares the Confluent keys with their types', () => {
    const byName = new Map(JDBC_SOURCE_CONFIG_DEF.keys.map((k) => [k.name, k]));
    expect(byName.get('connection.password')?.type).toBe('PASSWORD');
    expect(byName.get('connection.url')?.default).toBeUndefined();
    expect(byName.get('poll.interval.ms')?.default).toBe(5000);
    expect(byName.get('batch.max.rows')?.default).toBe(100);
    expect(byName.get('table.types')?.default).toBe('TABLE');
    expect(byName.get('timestamp.column.name')?.type).toBe('LIST');
    for (const key of ['connection.user', 'connection.attempts', 'connection.backoff.ms', 'table.blacklist', 'table.exclude.list', 'catalog.pattern', 'schema.pattern', 'table.poll.interval.ms', 'query', 'validate.non.null', 'timestamp.delay.interval.ms']) {
      expect(byName.has(key)).toBe(true);
    }
  });
});
