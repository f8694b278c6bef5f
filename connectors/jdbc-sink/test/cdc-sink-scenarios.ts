import { UNCHANGED_COLUMNS_HEADER, type ConnectSchema } from '@millrace/connect-sdk';
import { JdbcSinkTask } from '../src/jdbc-sink-task';
import { context, record, type Probe, type ScenarioTarget } from './sink-scenarios';

/**
 * What the sink does for change data capture, on both databases (driven like
 * sink-scenarios.ts): records listing unchanged (TOASTed) columns keep the stored values,
 * and auto.evolve follows a source table whose column was widened or dropped.
 */
const f = (name: string, index: number, schema: ConnectSchema) => ({ name, index, schema });
const DOC: ConnectSchema = { type: 'struct', optional: false, name: 'Doc', fields: [f('id', 0, { type: 'int64', optional: false }), f('title', 1, { type: 'string', optional: true }), f('body', 2, { type: 'string', optional: true })] };
const ITEM_V1: ConnectSchema = { type: 'struct', optional: false, name: 'Item', fields: [f('id', 0, { type: 'int64', optional: false }), f('qty', 1, { type: 'int32', optional: false }), f('note', 2, { type: 'string', optional: false })] };
const ITEM_V2: ConnectSchema = { type: 'struct', optional: false, name: 'Item', fields: [f('id', 0, { type: 'int64', optional: false }), f('qty', 1, { type: 'int64', optional: false })] };

const VSD: ConnectSchema = {
  type: 'struct', optional: true, name: 'io.debezium.data.VariableScaleDecimal', version: 1,
  fields: [f('scale', 0, { type: 'int32', optional: false }), f('value', 1, { type: 'bytes', optional: false })],
};
const MEASURE: ConnectSchema = { type: 'struct', optional: false, name: 'Measure', fields: [f('id', 0, { type: 'int64', optional: false }), f('ratio', 1, VSD)] };

export function describeCdcSinkScenarios(getTarget: () => ScenarioTarget): void {
  let probe: Probe;
  const tasks: JdbcSinkTask[] = [];
  const openTask = async (connector: string, config: Record<string, string>): Promise<JdbcSinkTask> => {
    const task = new JdbcSinkTask();
    await task.open({ 'connection.url': getTarget().url, 'auto.create': 'true', 'pk.mode': 'record_key', ...config }, context(connector));
    tasks.push(task);
    return task;
  };
  const unchanged = (r: ReturnType<typeof record>, columns: string[]) => ({ ...r, headers: [{ key: UNCHANGED_COLUMNS_HEADER, value: Buffer.from(JSON.stringify(columns)) }] });

  beforeAll(async () => {
    probe = await getTarget().probe();
  });
  afterEach(async () => {
    for (const task of tasks.splice(0)) await task.teardown();
  });
  afterAll(async () => {
    await probe?.close();
  });

  for (const mode of ['upsert', 'update'] as const) {
    it(`${mode}: columns a record lists as unchanged keep their stored value, also after a change earlier in the batch`, async () => {
      const t = getTarget();
      const table = `toast_${mode}`;
      const seed = await openTask(`${table}-seed`, { 'insert.mode': 'upsert' });
      await seed.write([1, 2, 3].map((id, i) => record(table, i, { id, title: `t${id}`, body: `BIG${id}` }, { valueSchema: DOC })));
      await seed.flush();
      const task = await openTask(table, { 'insert.mode': mode });
      const P = '__debezium_unavailable_value';
      await task.write([
        unchanged(record(table, 0, { id: 1, title: 'edited', body: P }, { valueSchema: DOC }), ['body']),
        record(table, 1, { id: 2, title: 't2', body: 'NEW2' }, { valueSchema: DOC }),
        unchanged(record(table, 2, { id: 2, title: 'edited after new body', body: P }, { valueSchema: DOC }), ['body']),
        unchanged(record(table, 3, { id: 3, title: P, body: P }, { valueSchema: DOC }), ['title', 'body']),
      ]);
      await task.flush();
      const rows = await probe.query(`SELECT * FROM ${t.quote(table)} ORDER BY ${t.quote('id')}`);
      expect(rows.map((r) => `${r.id}|${r.title}|${r.body}`)).toEqual(['1|edited|BIG1', '2|edited after new body|NEW2', '3|t3|BIG3']);
    });
  }

  it('auto.evolve widens a column in place (int -> bigint) and drops the NOT NULL of a column the records no longer carry', async () => {
    const t = getTarget();
    const task = await openTask('evolve-widen', { 'insert.mode': 'upsert', 'auto.evolve': 'true' });
    await task.write([record('items_w', 0, { id: 1, qty: 10, note: 'n1' }, { valueSchema: ITEM_V1 })]);
    await task.flush();
    await task.write([record('items_w', 1, { id: 2, qty: 5_000_000_000 }, { valueSchema: ITEM_V2 }), record('items_w', 2, { id: 1, qty: 6_000_000_000 }, { valueSchema: ITEM_V2 })]);
    await task.flush();
    const rows = await probe.query(`SELECT * FROM ${t.quote('items_w')} ORDER BY ${t.quote('id')}`);
    expect(rows.map((r) => `${r.id}|${r.qty}|${r.note}`)).toEqual(['1|6000000000|n1', '2|5000000000|null']);
  });

  it("Debezium's VariableScaleDecimal (numeric without precision) is written as a decimal column", async () => {
    const t = getTarget();
    const task = await openTask('vsd', { 'insert.mode': 'upsert' });
    const vsd = (unscaled: bigint, scale: number) => {
      const hex = (unscaled < 0n ? (1n << 64n) + unscaled : unscaled).toString(16).padStart(16, '0');
      return { scale, value: Buffer.from(hex, 'hex') };
    };
    await task.write([record('measures', 0, { id: 1, ratio: vsd(314159n, 5) }, { valueSchema: MEASURE }), record('measures', 1, { id: 2, ratio: vsd(-125n, 2) }, { valueSchema: MEASURE }), record('measures', 2, { id: 3, ratio: null }, { valueSchema: MEASURE })]);
    await task.flush();
    const rows = await probe.query(`SELECT ${t.quote('id')}, ${t.quote('ratio')} FROM ${t.quote('measures')} ORDER BY ${t.quote('id')}`);
    expect(rows.map((r) => (r.ratio === null ? null : Number(r.ratio)))).toEqual([3.14159, -1.25, null]);
  });
}
