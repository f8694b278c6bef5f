import { parseJdbcSourceConfig } from './jdbc-source-config';
import { JdbcSourceTask } from './jdbc-source-task';
import { missingTablesMessage, noTablesMessage, parseMissingTables, selectTables } from './table-selection';

const t = (schema: string, name: string) => ({ schema, name });
const listed = [t('shop', 'customers'), t('shop', 'orders'), t('other', 'orders')];
const config = parseJdbcSourceConfig({ 'connection.url': 'jdbc:postgresql://127.0.0.1:1/d', mode: 'bulk', 'topic.prefix': 'x.', 'schema.pattern': 'shop%', 'table.poll.interval.ms': '2000' });
const quiet = () => undefined;
const context = { connectorName: 'c', taskId: 0, logger: { info: quiet, warn: quiet, error: quiet, debug: quiet }, offset: () => null };

describe('selectTables', () => {
  it('names the whitelist entries that match no listed table, by name or schema.name', () => {
    expect(selectTables(listed, ['orders', 'shop.customers', 'nope', 'other.customers'], [])).toEqual({
      tables: [t('shop', 'customers'), t('shop', 'orders'), t('other', 'orders')],
      missing: ['nope', 'other.customers'],
    });
    expect(selectTables([], ['a', 'a'], [])).toEqual({ tables: [], missing: ['a'] });
  });

  it('never reports missing tables for a blacklist or no list', () => {
    expect(selectTables(listed, [], ['orders'])).toEqual({ tables: [t('shop', 'customers')], missing: [] });
    expect(selectTables([], [], [])).toEqual({ tables: [], missing: [] });
  });
});

describe('status and failure messages', () => {
  it('names the missing tables and where they were looked for', () => {
    expect(missingTablesMessage(config, ['nope'])).toBe(
      'jdbc-source: table.whitelist names a table that does not exist: nope (tables listed with catalog.pattern=null, schema.pattern=shop%, table.types=TABLE). ' +
        'Create it or correct table.whitelist; the connector lists tables every table.poll.interval.ms (2000 ms) and restarts its tasks once they exist.',
    );
    expect(missingTablesMessage(config, ['a', 'b'])).toContain('names tables that do not exist: a, b');
  });

  it('says that nothing matches yet', () => {
    expect(noTablesMessage(config)).toBe('No table matches catalog.pattern=null, schema.pattern=shop%, table.types=TABLE yet; tables are picked up within table.poll.interval.ms (2000 ms) of being created.');
  });

  it('parses the missing.tables task key', () => {
    expect(parseMissingTables(undefined)).toEqual([]);
    expect(parseMissingTables('["a","s.b"]')).toEqual(['a', 's.b']);
    expect(() => parseMissingTables('[1]')).toThrow('task config "missing.tables" must be a JSON array of strings');
  });

  it('a task told of missing tables fails at open, before connecting (the URL points nowhere)', async () => {
    const task = new JdbcSourceTask();
    const raw = { 'connection.url': 'jdbc:postgresql://127.0.0.1:1/d', mode: 'bulk', 'topic.prefix': 'x.', tables: '[]', 'missing.tables': '["nope"]' };
    await expect(task.open(raw, context)).rejects.toThrow('jdbc-source: table.whitelist names a table that does not exist: nope');
  });
});
