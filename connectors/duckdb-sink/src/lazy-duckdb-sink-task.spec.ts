import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SinkTask, SinkTaskContext } from '@millrace/connect-sdk';

/** Set by the factory below when anything loads DuckDB's native module. */
let mockDuckDbLoaded = false;
jest.mock('@duckdb/node-api', () => {
  mockDuckDbLoaded = true;
  return jest.requireActual('@duckdb/node-api');
});

const quiet = () => undefined;
const context: SinkTaskContext = { connectorName: 'lazy', taskId: 0, logger: { info: quiet, warn: quiet, error: quiet, debug: quiet }, pause: quiet, resume: quiet };

describe('duckdb-sink plugin loading', () => {
  it('loads DuckDB only when a task opens, and the opened task writes through to the file', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { DUCKDB_SINK_PLUGIN } = require('./index') as typeof import('./index');
    const task = DUCKDB_SINK_PLUGIN.createTask() as SinkTask;
    expect(mockDuckDbLoaded).toBe(false);
    await expect(task.flush()).rejects.toThrow('not open');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duckdb-lazy-'));
    try {
      await task.open({ 'duckdb.path': path.join(dir, 'w.duckdb') }, context);
      expect(mockDuckDbLoaded).toBe(true);
      expect(await task.partitionsAssigned([{ topic: 't', partition: 0 }])).toEqual(new Map([['t-0', null]]));
      await task.teardown();
      expect(fs.existsSync(path.join(dir, 'w.duckdb'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
