import * as fs from 'node:fs';
import * as path from 'node:path';
import { findRepoRoot, getFreePorts, retryUntil, startBroker, startConnect, type BrokerProcess, type ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeKafka } from './support/kafka';

/**
 * The web console (apps/console, served by the broker under /console/) in headless
 * Chromium (Debian's, driven by playwright-core) against a broker and a connect worker
 * started here. Each page renders live data from the REST APIs; a connector is created
 * from the generated form and paused from the UI (PAUSED through connect's REST API);
 * a group's lag chart shows the admin API's lag. Screenshots of every page are kept in
 * .tmp/console-screenshots/ (test artifacts, not committed).
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = path.join(findRepoRoot(__dirname), '.tmp', 'console-screenshots');

describe('web console', () => {
  let broker: BrokerProcess;
  let connect: ConnectProcess;
  let kafka: Kafka;
  let browser: Browser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    const [httpPort, connectPort] = await getFreePorts(2);
    origin = `http://127.0.0.1:${httpPort}`;
    broker = await startBroker({
      httpPort,
      env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '0', MILLRACE_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '3', MILLRACE_CONSOLE_CONNECT_URL: `http://127.0.0.1:${connectPort}` },
    });
    connect = await startConnect({
      port: connectPort,
      bootstrap: broker.bootstrap,
      registryUrl: origin,
      env: { MILLRACE_CONNECT_TEST_PLUGINS: 'true', MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_ORIGIN: origin, MILLRACE_CONNECT_ACCESS_CONTROL_ALLOW_METHODS: 'GET,POST,PUT,DELETE,HEAD' },
    });
    kafka = makeKafka(broker.bootstrap);
    fs.mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // the browser's own errors go to the test output (a failing page says why)
    page.on('pageerror', (err) => process.stderr.write(`console page error: ${err.message}\n`));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await connect?.stop();
    await broker?.stop();
  });

  const open = async (hash: string): Promise<void> => {
    await page.goto(`${origin}/console/${hash}`);
  };
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  test('overview: the broker, its health and throughput from /metrics', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'console.orders', messages: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `order ${i}` })) });
    await producer.disconnect();
    await open('#/');
    await page.getByTestId('brokers').getByRole('cell', { name: String(broker.kafkaPort), exact: true }).waitFor();
    await page.getByTestId('health').getByText('UP').waitFor();
    expect(await page.getByTestId('health').textContent()).toMatch(/offline partitions 0, unresolved corrupt ranges 0/);
    await page.getByTestId('throughput').locator('svg').first().waitFor();
    await shot('overview');
  });

  test('topics: the list and a topic with its partitions and offsets', async () => {
    await open('#/topics');
    await page.getByTestId('topic-table').getByRole('link', { name: 'console.orders' }).click();
    const row = page.getByTestId('partition-table').locator('tbody tr').first();
    await row.locator('td').nth(6).getByText('50', { exact: true }).waitFor(); // high watermark
    // the message browser: the latest 50 by default, then from an offset
    await page.getByTestId('message-table').getByRole('cell', { name: 'order 49', exact: true }).waitFor();
    await page.getByLabel('start').fill('45');
    await page.getByRole('button', { name: 'Show' }).click();
    // 'order 45' is in the latest 50 already: wait for the table to be replaced (no 6th row), then check it
    await page.getByTestId('message-table').locator('tbody tr').nth(5).waitFor({ state: 'detached' });
    expect(await page.getByTestId('message-table').locator('tbody tr').count()).toBe(5);
    await page.getByTestId('message-table').getByRole('cell', { name: 'order 45', exact: true }).waitFor();
    await shot('topic');
  });

  test('message browser API: Avro decoded through the registry, bad input answered 400 naming the parameter', async () => {
    const schema = { type: 'record', name: 'Reading', fields: [{ name: 'machine', type: 'string' }, { name: 'temp', type: 'double' }] };
    const reg = await fetch(`${origin}/subjects/console.readings-value/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(schema) }) });
    const { id } = (await reg.json()) as { id: number };
    // Confluent wire format by hand: magic 0, schema id, Avro body (string "press-1", double 21.5)
    const body = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), Buffer.from([14]), Buffer.from('press-1'), Buffer.alloc(8)]);
    body.writeInt32BE(id, 1);
    body.writeDoubleLE(21.5, 13);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'console.readings', messages: [{ key: 'press-1', value: body, headers: { source: 'plc-7' } }] });
    await producer.disconnect();
    const page1 = (await (await fetch(`${origin}/admin/topics/console.readings/partitions/0/records?offset=0`)).json()) as { records: Array<{ key: { text: string }; value: { encoding: string; schemaId: number; json: unknown }; headers: Array<{ key: string; value: { text: string } }> }> };
    expect(page1.records).toHaveLength(1);
    expect(page1.records[0]).toMatchObject({ key: { encoding: 'utf8', text: 'press-1' }, value: { encoding: 'avro', schemaId: id, json: { machine: 'press-1', temp: 21.5 } }, headers: [{ key: 'source', value: { text: 'plc-7' } }] });
    const bad = await fetch(`${origin}/admin/topics/console.readings/partitions/0/records?offset=-3`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/offset must be a whole number >= 0/);
    expect((await fetch(`${origin}/admin/topics/nope/partitions/0/records`)).status).toBe(404);
  });

  test('groups: the lag chart shows the lag the admin API reports, in total and per partition', async () => {
    const consumer = kafka.consumer({ groupId: 'console-readers' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'console.orders', fromBeginning: true });
    let seen = 0;
    await consumer.run({ autoCommit: false, eachMessage: async () => void seen++ });
    for (let i = 0; i < 100 && seen < 50; i++) await new Promise((r) => setTimeout(r, 100));
    await consumer.commitOffsets([{ topic: 'console.orders', partition: 0, offset: '20' }]);
    await consumer.disconnect();
    const api = (await (await fetch(`${origin}/admin/groups/console-readers`)).json()) as { totalLag: number };
    expect(api.totalLag).toBe(30);
    await open('#/groups');
    await page.getByTestId('group-table').getByRole('link', { name: 'console-readers' }).click();
    await page.getByTestId('lag-chart-last-lag').getByText(String(api.totalLag), { exact: true }).waitFor();
    // and each partition's lag as its own series (one partition here: all of it)
    await page.getByTestId('lag-chart-last-console.orders[0]').getByText(String(api.totalLag), { exact: true }).waitFor();
    expect(await page.getByTestId('total-lag').textContent()).toBe(String(api.totalLag));
    await shot('group');
    // reset from the UI (the group has no members): to offset 45, lag 5
    await page.getByLabel('reset to', { exact: true }).fill('45');
    await page.getByRole('button', { name: 'Reset' }).click();
    await page.getByTestId('reset-result').getByText('reset: 0@45').waitFor();
    expect(((await (await fetch(`${origin}/admin/groups/console-readers`)).json()) as { totalLag: number }).totalLag).toBe(5);
    const badReset = await fetch(`${origin}/admin/groups/console-readers/offsets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'console.orders', to: 'yesterday' }) });
    expect(badReset.status).toBe(400);
    expect(await badReset.text()).toMatch(/to:/);
  });

  test('connectors: created from the generated form, paused and edited from the UI', async () => {
    await open('#/connectors');
    await page.getByRole('button', { name: 'New connector' }).click();
    const form = page.getByTestId('create-connector');
    await form.locator('input[name="name"]').fill('ui-fake');
    await form.locator('select[name="plugin"]').selectOption('FakeSource');
    await form.locator('input[name="topic"]').fill('console.fake');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('connector-table').getByRole('link', { name: 'ui-fake' }).click();
    await page.getByTestId('task-table').getByText('RUNNING').waitFor({ timeout: 60_000 });
    await shot('connector');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('connector').getByText('PAUSED').first().waitFor({ timeout: 30_000 });
    const rest = (await (await fetch(`${connect.url}/connectors/ui-fake/status`)).json()) as { connector: { state: string } };
    expect(rest.connector.state).toBe('PAUSED');

    // edit: the form comes filled with the stored config; Save puts it back changed
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByTestId('edit-connector');
    expect(await edit.locator('input[name="topic"]').inputValue()).toBe('console.fake');
    await edit.locator('input[name="topic"]').fill('console.fake2');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached', timeout: 30_000 });
    const config = (await (await fetch(`${connect.url}/connectors/ui-fake/config`)).json()) as Record<string, string>;
    expect(config).toMatchObject({ topic: 'console.fake2', 'connector.class': 'FakeSource', name: 'ui-fake' });
  });

  test('connectors: offsets, resume and restart from the connector page, each checked through the REST API', async () => {
    interface Status { connector: { state: string }; tasks: Array<{ state: string; trace?: string }> }
    const status = async (name: string): Promise<Status> => (await (await fetch(`${connect.url}/connectors/${name}/status`)).json()) as Status;
    const until = <T>(what: string, attempt: () => Promise<T | undefined>): Promise<T> =>
      retryUntil(what, async () => {
        const v = await attempt();
        if (v === undefined) throw new Error('not yet');
        return v;
      }, { timeoutMs: 30_000, intervalMs: 300 });
    // ui-fake is paused (the test above): its offsets hold still, and the page shows the API's
    const rest = await until('ui-fake has offsets', async () => {
      const r = (await (await fetch(`${connect.url}/connectors/ui-fake/offsets`)).json()) as { offsets: Array<{ partition: unknown; offset: unknown }> };
      return r.offsets.length > 0 ? r.offsets : undefined;
    });
    await open('#/connectors/ui-fake');
    const cells = page.getByTestId('offset-table').locator('tbody td');
    await cells.first().getByText(JSON.stringify(rest[0].partition), { exact: true }).waitFor({ timeout: 15_000 });
    expect(await cells.allTextContents()).toEqual(rest.flatMap((o) => [JSON.stringify(o.partition), JSON.stringify(o.offset)]));

    await page.getByRole('button', { name: 'Resume' }).click();
    await until('ui-fake runs again', async () => {
      const s = await status('ui-fake');
      return s.connector.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING' ? true : undefined;
    });

    // a task failing its first read is FAILED; Restart on its page runs it again
    const created = await fetch(`${connect.url}/connectors`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ui-failing', config: { 'connector.class': 'FakeSource', topic: 'console.failing', 'tasks.max': '1', 'fake.fail.reads': '1' } }) });
    expect(created.status).toBe(201);
    await until('ui-failing fails', async () => ((await status('ui-failing')).tasks[0]?.state === 'FAILED' ? true : undefined));
    await open('#/connectors/ui-failing');
    await page.getByTestId('task-table').getByText(/read failed on purpose/).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Restart' }).click();
    await until('ui-failing runs after the restart', async () => {
      const s = await status('ui-failing');
      return s.connector.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING' ? true : undefined;
    });
    await page.getByTestId('task-table').getByText('RUNNING').waitFor({ timeout: 15_000 });
  });

  test('schemas: versions, a side-by-side diff, the compatibility level and a check', async () => {
    const post = (schema: object) =>
      fetch(`${origin}/subjects/console-value/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema: JSON.stringify(schema) }) });
    expect((await post({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }] })).status).toBe(200);
    expect((await post({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'long' }, { name: 'note', type: 'string', default: '' }] })).status).toBe(200);
    await open('#/schemas');
    await page.getByTestId('subject-table').getByRole('link', { name: 'console-value' }).click();
    await page.getByTestId('diff').locator('.added').filter({ hasText: '"note"' }).first().waitFor();
    await page.getByTestId('compatibility').getByText('BACKWARD').waitFor();
    await page.getByLabel('candidate schema').fill(JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] }));
    await page.getByRole('button', { name: 'Check compatibility' }).click();
    await page.getByTestId('verdict').getByText(/NOT compatible/).waitFor();
    await shot('schemas');
  });
});
