import { splitRoundRobin } from './jdbc-source-connector';
import { jdbcSourcePlugin } from './jdbc-source.plugin';
import { selectTables } from './table-selection';

const filterTables = (listed: Parameters<typeof selectTables>[0], include: readonly string[], exclude: readonly string[]) => selectTables(listed, include, exclude).tables;

const t = (schema: string, name: string) => ({ schema, name });
const tables = [t('shop', 'customers'), t('shop', 'order_lines'), t('shop', 'orders'), t('other', 'orders')];

describe('table selection and task split', () => {
  it('includes by name or schema.name, or excludes', () => {
    expect(filterTables(tables, ['orders'], [])).toEqual([t('shop', 'orders'), t('other', 'orders')]);
    expect(filterTables(tables, ['shop.orders', 'customers'], [])).toEqual([t('shop', 'customers'), t('shop', 'orders')]);
    expect(filterTables(tables, [], ['orders', 'shop.customers'])).toEqual([t('shop', 'order_lines')]);
    expect(filterTables(tables, [], [])).toEqual(tables);
  });

  it('deals tables round robin over at most maxTasks tasks', () => {
    expect(splitRoundRobin([1, 2, 3, 4, 5], 2)).toEqual([[1, 3, 5], [2, 4]]);
    expect(splitRoundRobin([1, 2], 5)).toEqual([[1], [2]]);
    expect(splitRoundRobin([1, 2, 3], 1)).toEqual([[1, 2, 3]]);
  });
});

describe('jdbcSourcePlugin', () => {
  it('is the jdbc-source plugin under Confluent\'s class name', () => {
    expect(jdbcSourcePlugin.name).toBe('jdbc-source');
    expect(jdbcSourcePlugin.aliases).toEqual(['io.confluent.connect.jdbc.JdbcSourceConnector']);
    expect(jdbcSourcePlugin.type).toBe('source');
    expect(jdbcSourcePlugin.validate?.({ 'connection.url': 'jdbc:mysql://h/d', mode: 'timestamp', 'topic.prefix': 'x' }, {})).toEqual({
      'timestamp.column.name': 'mode timestamp needs timestamp.column.name',
    });
  });

  it('query mode yields one task config; a task with no tables stays idle', async () => {
    const connector = jdbcSourcePlugin.createConnector();
    const raw = { 'connection.url': 'jdbc:mysql://127.0.0.1:1/d', mode: 'bulk', query: 'SELECT 1', 'topic.prefix': 'q' };
    await connector.start(raw, {}, { name: 'c', logger: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined }, requestTaskReconfiguration: () => undefined, raiseError: () => undefined });
    expect(await connector.taskConfigs(3)).toEqual([raw]);
    await connector.stop();
  });
});
