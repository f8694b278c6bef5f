import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWriterScenario } from '../test/writer-scenario';
import { DuckDbRollupConnection } from './dialect/duckdb-rollup';

/** The delta algebra and its SQL end to end on an embedded DuckDB (in-process, no server): see test/writer-scenario.ts. */
describe('rollup writer on DuckDB', () => {
  let dir: string;
  let conn: DuckDbRollupConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rollup-writer-'));
    conn = await DuckDbRollupConnection.open(join(dir, 'bi.duckdb'), 6);
  });

  afterAll(async () => {
    await conn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('random changes in random batches: the rollup equals the aggregate of the rows left', async () => {
    const r = await runWriterScenario(conn, 'sales', 15, (e) => `CAST(${e} AS VARCHAR)`);
    expect(r.rows).toBeGreaterThan(50);
    expect(r.actual).toEqual(r.expected);
    expect(r.stateLeft).toBe(0);
  }, 60_000);
});
