import type { Struct } from '@millrace/connect-sdk';
import { createIncrementalRunner, type IncrementalModelReader, type IncrementalTableModel } from './incremental-runner-factory';
import { IncrementalSnapshotState } from './incremental-snapshot';
import { keyRangeTable, until, type Watermark } from './test-support/key-range-table';

const keySchema = { type: 'struct', optional: false, name: 'k', fields: [] } as const;
const envelopeSchema = { type: 'struct', optional: false, name: 'e', fields: [] } as const;
const table = (qualified: string, keyColumns: string[]): IncrementalTableModel => ({ qualified, topic: `p.${qualified}`, keyColumns, keySchema: keyColumns.length > 0 ? keySchema : null, envelopeSchema });

type Row = { id: number };

/** Rows {id} 1..n of every table; notes which model each read was for. */
function fakeReader(n: number, reads: string[], marks: Watermark[]): IncrementalModelReader<IncrementalTableModel, Row> {
  const rows = keyRangeTable(n, marks, (id) => ({ id }));
  return {
    ...rows,
    largestKey: (m) => {
      reads.push(`max ${m.topic}`);
      return rows.largestKey();
    },
    readKeyRange: (m, after, upTo, _filter, limit) => {
      reads.push(`range ${m.topic}`);
      return rows.readKeyRange(after, upTo, limit);
    },
  };
}

/** A runner over `models` reading `fakeReader(3)` (after `beforeOpen`); source block `{ts_ms: at, table}`, partition `{server: 'p'}`. */
function harness(models: Map<string, IncrementalTableModel>, beforeOpen: () => void = () => undefined) {
  const reads: string[] = [];
  const marks: Watermark[] = [];
  const warnings: string[] = [];
  const runner = createIncrementalRunner<IncrementalTableModel, Row, number>({
    name: 'test-cdc',
    models,
    state: new IncrementalSnapshotState(),
    chunkSize: 10,
    logger: { info: () => undefined, warn: (m) => warnings.push(m) },
    openReader: async () => {
      beforeOpen();
      return fakeReader(3, reads, marks);
    },
    decodeRow: (_m, row): Struct => ({ id: row.id }),
    sourceBlock: (m, at) => ({ ts_ms: at, table: m.qualified }) as { ts_ms: number },
    partition: { server: 'p' },
  });
  return { runner, reads, marks, warnings };
}

describe('createIncrementalRunner', () => {
  it('reads the captured keyed tables by model and turns a closed window into r records with the source block and partition', async () => {
    const { runner, reads, marks, warnings } = harness(
      new Map([
        ['db.t', table('db.t', ['id'])],
        ['db.nokey', table('db.nokey', [])],
      ]),
    );
    runner.start();
    runner.signal('s1', 'execute-snapshot', '{"data-collections": ["db.t", "db.nokey"]}');
    // the table without a key is refused (tables() says which have one)
    expect(warnings.some((w) => w.startsWith('test-cdc: signal s1: db.nokey'))).toBe(true);
    await until(() => marks.length === 2);
    expect(reads).toEqual(['max p.db.t', 'range p.db.t']);
    runner.onWatermark(marks[0].id, 'open', 1000);
    const records = runner.onWatermark(marks[1].id, 'close', 2000);
    // one ts_ms (when the window closed) for all its records
    const ts = (records[0].value as { ts_ms: unknown }).ts_ms;
    expect(typeof ts).toBe('number');
    expect(records.map((r) => r.value)).toEqual([1, 2, 3].map((id) => ({ before: null, after: { id }, source: { ts_ms: 2000, table: 'db.t' }, op: 'r', ts_ms: ts })));
    expect(records.map((r) => r.key)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(records.every((r) => r.topic === 'p.db.t' && r.timestamp === 2000)).toBe(true);
    expect(records[0].sourcePartition).toEqual({ server: 'p' });
    expect(records[0].sourceOffset).toEqual({});
    expect(runner.active).toBe(false);
    await runner.stop();
  });

  it('a table that left the capture fails the chunk read with an error naming it', async () => {
    const models = new Map([['db.t', table('db.t', ['id'])]]);
    // the table leaves the capture while the reader opens
    const { runner, reads, warnings } = harness(models, () => {
      models.delete('db.t');
      models.set('db.other', table('db.other', ['id']));
    });
    runner.start();
    runner.signal('s1', 'execute-snapshot', '{"data-collections": ["db.t"]}');
    await until(() => warnings.length > 0);
    expect(warnings[0]).toContain('db.t is no longer captured');
    expect(reads).toEqual([]);
    await runner.stop();
  });
});
