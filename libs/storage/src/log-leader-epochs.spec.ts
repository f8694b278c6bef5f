import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { LEADER_EPOCH_CHECKPOINT } from './leader-epoch-cache';
import { logConfig } from './log-config';
import { UnifiedLog } from './unified-log';
import { removeDir, tempDir, testBatch } from './test-support/batch-fixtures';

describe('UnifiedLog leader epochs (leader-epoch-checkpoint)', () => {
  let root: string;
  let dir: string;

  beforeEach(async () => {
    root = await tempDir();
    dir = path.join(root, 'orders-0');
  });
  afterEach(() => removeDir(root));

  const open = (): Promise<UnifiedLog> => UnifiedLog.open({ dir, config: logConfig({ segmentBytes: 1024 }), hadCleanShutdown: false });
  const file = (): Promise<string> => fsp.readFile(path.join(dir, LEADER_EPOCH_CHECKPOINT), 'utf8');

  it('records where each leader epoch starts, follows truncation and log-start moves, and survives a restart', async () => {
    let log = await open();
    for (let i = 0; i < 5; i++) await log.append(testBatch({ count: 2 }));
    log.leaderEpoch = 3;
    for (let i = 0; i < 5; i++) await log.append(testBatch({ count: 2 }));
    expect(log.leaderEpochs.cache.all).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 10 },
    ]);
    expect(log.leaderEpochs.cache.endOffsetFor(0, log.logEndOffset)).toEqual({ epoch: 0, startOffset: 10 });
    expect(log.leaderEpochs.cache.endOffsetFor(3, log.logEndOffset)).toEqual({ epoch: 3, startOffset: 20 });

    // A follower truncating below epoch 3's start forgets epoch 3.
    await log.truncateTo(8);
    expect(log.leaderEpochs.cache.all).toEqual([{ epoch: 0, startOffset: 0 }]);
    log.leaderEpoch = 4;
    await log.append(testBatch({ count: 2 }));
    log.updateHighWatermark(log.logEndOffset);
    await log.deleteRecordsBefore(6);
    expect(log.leaderEpochs.cache.all).toEqual([
      { epoch: 0, startOffset: 6 },
      { epoch: 4, startOffset: 8 },
    ]);
    await log.close();
    expect(await file()).toBe('0\n2\n0 6\n4 8\n');

    log = await open();
    expect(log.leaderEpochs.cache.all).toEqual([
      { epoch: 0, startOffset: 6 },
      { epoch: 4, startOffset: 8 },
    ]);
    await log.close();
  });

  it('starts a log written before the checkpoint existed at its first batch epoch, and replaces a damaged file', async () => {
    let log = await open();
    for (let i = 0; i < 3; i++) await log.append(testBatch({ count: 1 }));
    await log.close();
    await fsp.rm(path.join(dir, LEADER_EPOCH_CHECKPOINT));
    log = await open();
    expect(log.leaderEpochs.cache.all).toEqual([{ epoch: 0, startOffset: 0 }]);
    await log.close();
    await fsp.writeFile(path.join(dir, LEADER_EPOCH_CHECKPOINT), 'garbage');
    log = await open();
    expect(log.leaderEpochs.cache.all).toEqual([{ epoch: 0, startOffset: 0 }]);
    await log.close();
    expect(await file()).toBe('0\n1\n0 0\n');
  });
});
