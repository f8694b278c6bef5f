import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ProducerIdManager } from './producer-id-manager';

describe('ProducerIdManager', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'pid-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives distinct ids to concurrent callers', async () => {
    const m = new ProducerIdManager(dir, 10);
    await m.load();
    const ids = await Promise.all(Array.from({ length: 35 }, () => m.nextProducerId()));
    expect(new Set(ids).size).toBe(35);
  });

  it('never reuses an id after a restart, even one given out just before a crash', async () => {
    const a = new ProducerIdManager(dir, 10);
    await a.load();
    const first = [await a.nextProducerId(), await a.nextProducerId(), await a.nextProducerId()];
    const b = new ProducerIdManager(dir, 10);
    await b.load();
    const after = await b.nextProducerId();
    expect(after).toBeGreaterThan(Math.max(...first));
  });
});
