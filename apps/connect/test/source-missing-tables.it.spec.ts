import { waitFor } from './support/connect-rest';
import { readAll } from './support/kafka';
import { usePostgresConnect } from './support/postgres-connect';

/**
 * A jdbc-source that cannot find its tables is never an idle RUNNING task: a
 * table.whitelist naming a table that does not exist fails the task with a trace naming
 * it (and the connector restarts the task once the table is created); tables selected
 * by a pattern that matches nothing yet leave the task RUNNING with a trace saying so.
 */
describe('jdbc-source and missing tables', () => {
  const env = usePostgresConnect();

  const sourceConfig = (extra: Record<string, string>) => ({
    'connector.class': 'jdbc-source',
    'connection.url': env.jdbcUrl,
    mode: 'incrementing',
    'incrementing.column.name': 'id',
    'poll.interval.ms': '200',
    'table.poll.interval.ms': '1000',
    'key.converter': 'json',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'json',
    'value.converter.schemas.enable': 'false',
    ...extra,
  });

  const createTable = async (name: string, rows: number): Promise<void> => {
    await env.db.query(`CREATE TABLE ${name} (id SERIAL PRIMARY KEY, label TEXT NOT NULL)`);
    await env.db.query(`INSERT INTO ${name} (label) SELECT '${name}-' || g FROM generate_series(1, ${rows}) g`);
  };

  test('a whitelist naming a missing table fails the task naming it; creating the table brings the task back', async () => {
    await createTable('wl_present', 5);
    const config = sourceConfig({ 'table.whitelist': 'wl_present,wl_absent', 'topic.prefix': 'wl.' });
    expect((await env.rest.call('POST', '/connectors', { name: 'whitelist-src', config })).status).toBe(201);

    const failed = await waitFor('the task FAILED', async () => {
      const s = await env.rest.status('whitelist-src');
      return s.tasks.length === 1 && s.tasks[0].state === 'FAILED' ? s : undefined;
    });
    expect(failed.connector.state).toBe('RUNNING');
    expect(failed.tasks[0].trace).toContain('jdbc-source: table.whitelist names a table that does not exist: wl_absent');
    expect(failed.tasks[0].trace).not.toContain('wl_present');

    await createTable('wl_absent', 3);
    await env.rest.waitForState('whitelist-src', 'RUNNING', 1, 30_000);
    expect((await env.rest.status('whitelist-src')).tasks[0].trace).toBeUndefined();
    await waitFor('both tables copied', async () => {
      try {
        return (await readAll(env.kafka, 'wl.wl_present')).length === 5 && (await readAll(env.kafka, 'wl.wl_absent')).length === 3;
      } catch {
        return false;
      }
    });
  }, 90_000);

  test('a schema.pattern matching no table yet runs with a trace saying so, then copies the table once it exists', async () => {
    const config = sourceConfig({ 'schema.pattern': 'later%', 'topic.prefix': 'pat.' });
    expect((await env.rest.call('POST', '/connectors', { name: 'pattern-src', config })).status).toBe(201);
    const idle = await env.rest.waitForState('pattern-src', 'RUNNING', 1);
    expect(idle.tasks[0].trace).toBe(
      'No table matches catalog.pattern=null, schema.pattern=later%, table.types=TABLE yet; tables are picked up within table.poll.interval.ms (1000 ms) of being created.',
    );

    await env.db.query('CREATE SCHEMA later_schema');
    await createTable('later_schema.events', 4);
    await waitFor('the idle trace cleared', async () => {
      const s = await env.rest.status('pattern-src');
      return s.tasks.length === 1 && s.tasks[0].state === 'RUNNING' && s.tasks[0].trace === undefined;
    });
    await waitFor('the table copied', async () => {
      try {
        return (await readAll(env.kafka, 'pat.events')).length === 4;
      } catch {
        return false;
      }
    });
  }, 90_000);
});
