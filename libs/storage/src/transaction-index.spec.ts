import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { buildBatch, buildControlBatch, ControlRecordType } from '@millrace/protocol';
import { LogCleaner } from './log-cleaner';
import { logConfig } from './log-config';
import { countingIo, recordsOf, removeDir, tempDir, testBatch } from './test-support/batch-fixtures';
import { decodeAbortedTxns, encodeAbortedTxns, TransactionIndex, txnIndexFilePath } from './transaction-index';
import { UnifiedLog } from './unified-log';

function txnBatch(producerId: number, epoch: number, seq: number, count = 2): Buffer {
  const records = Array.from({ length: count }, (_, i) => ({ key: null, value: Buffer.from(`p${producerId}-${seq + i}`), timestamp: Date.now() }));
  return buildBatch({ baseOffset: 0, records, producerId, producerEpoch: epoch, baseSequence: seq, transactional: true });
}

function marker(producerId: number, epoch: number, type: ControlRecordType.Abort | ControlRecordType.Commit): Buffer {
  return buildControlBatch({ baseOffset: 0, producerId, producerEpoch: epoch, type, coordinatorEpoch: 0 });
}

describe('TransactionIndex', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await tempDir();
    dir = path.join(root, 't-0');
    await fsp.mkdir(dir);
  });
  afterEach(async () => removeDir(root));

  it('encodes Kafka 34-byte entries and ignores a torn tail', () => {
    const buf = encodeAbortedTxns([{ producerId: 7, firstOffset: 10, lastOffset: 20, lastStableOffset: 21 }]);
    expect(buf.length).toBe(34);
    expect(buf.readInt16BE(0)).toBe(0);
    expect(decodeAbortedTxns(Buffer.concat([buf, buf.subarray(0, 10)]))).toEqual([{ producerId: 7, firstOffset: 10, lastOffset: 20, lastStableOffset: 21 }]);
  });

  it('collects overlapping aborts by binary search and survives reload, truncation and deletion', async () => {
    const idx = await TransactionIndex.load(dir);
    await idx.append(0, [{ producerId: 1, firstOffset: 0, lastOffset: 5, lastStableOffset: 6 }]);
    await idx.append(100, [
      { producerId: 2, firstOffset: 50, lastOffset: 120, lastStableOffset: 121 },
      { producerId: 3, firstOffset: 130, lastOffset: 140, lastStableOffset: 141 },
    ]);
    expect(idx.collect(6, 60).map((t) => t.producerId)).toEqual([2]);
    expect(idx.collect(0, 200).map((t) => t.producerId)).toEqual([1, 2, 3]);
    expect(idx.collect(141, 200)).toEqual([]);
    const reloaded = await TransactionIndex.load(dir);
    expect(reloaded.collect(0, 200).map((t) => t.producerId)).toEqual([1, 2, 3]);
    await reloaded.truncateTo(130);
    expect((await TransactionIndex.load(dir)).collect(0, 1000).map((t) => t.producerId)).toEqual([1, 2]);
    await reloaded.deleteBelow(100);
    await expect(fsp.access(txnIndexFilePath(dir, 0))).rejects.toThrow();
    expect(reloaded.collect(0, 1000).map((t) => t.producerId)).toEqual([2]);
  });

  it('fsyncs the files of rolled segments once, only when they got entries', async () => {
    const idx = await TransactionIndex.load(dir);
    const io = countingIo();
    await idx.append(0, [{ producerId: 1, firstOffset: 0, lastOffset: 5, lastStableOffset: 6 }]);
    await idx.append(100, [{ producerId: 2, firstOffset: 100, lastOffset: 105, lastStableOffset: 106 }]);
    await idx.syncBelow(100, io);
    expect(io.syncs).toBe(1);
    await idx.syncBelow(100, io);
    expect(io.syncs).toBe(1);
    await idx.syncBelow(200, io);
    expect(io.syncs).toBe(2);
  });
});

describe('UnifiedLog transactions', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await tempDir();
    dir = path.join(root, 'orders-0');
  });
  afterEach(async () => removeDir(root));

  it('tracks the first unstable offset and indexes aborted transactions; a crash-reopen rebuilds the index', async () => {
    const log = await UnifiedLog.open({ dir, config: logConfig({}), hadCleanShutdown: false });
    await log.append(txnBatch(1, 0, 0)); // 0-1, txn of producer 1
    await log.append(txnBatch(2, 0, 0)); // 2-3, txn of producer 2
    expect(log.transactions.firstUnstableOffset()).toBe(0);
    await log.append(marker(1, 0, ControlRecordType.Abort), { origin: 'coordinator' }); // 4
    expect(log.transactions.firstUnstableOffset()).toBe(2);
    await log.append(marker(2, 0, ControlRecordType.Commit), { origin: 'coordinator' }); // 5
    expect(log.transactions.firstUnstableOffset()).toBeNull();
    await log.append(txnBatch(1, 0, 2)); // 6-7
    await log.append(marker(1, 0, ControlRecordType.Abort), { origin: 'coordinator' }); // 8
    expect(log.transactions.collectAbortedTransactions(0, 9)).toEqual([
      { producerId: 1, firstOffset: 0 },
      { producerId: 1, firstOffset: 6 },
    ]);
    expect(log.transactions.collectAbortedTransactions(5, 6)).toEqual([]);
    // Simulate losing the index file (a crash before it reached disk): reopen rebuilds it by replay.
    await fsp.rm(txnIndexFilePath(dir, 0));
    const reopened = await UnifiedLog.open({ dir, config: logConfig({}), hadCleanShutdown: false });
    expect(reopened.transactions.collectAbortedTransactions(0, 9)).toEqual([
      { producerId: 1, firstOffset: 0 },
      { producerId: 1, firstOffset: 6 },
    ]);
    expect(reopened.transactions.firstUnstableOffset()).toBeNull();
    await reopened.close();
    await log.close();
  });

  it('truncation drops aborted entries above the cut', async () => {
    const log = await UnifiedLog.open({ dir, config: logConfig({}), hadCleanShutdown: false });
    await log.append(txnBatch(1, 0, 0)); // 0-1
    await log.append(marker(1, 0, ControlRecordType.Abort), { origin: 'coordinator' }); // 2
    await log.append(txnBatch(1, 0, 2)); // 3-4
    await log.append(marker(1, 0, ControlRecordType.Abort), { origin: 'coordinator' }); // 5
    await log.truncateTo(3);
    expect(log.transactions.collectAbortedTransactions(0, 10)).toEqual([{ producerId: 1, firstOffset: 0 }]);
    await log.close();
  });

  it('compaction never lets an aborted record supersede a committed one', async () => {
    const log = await UnifiedLog.open({ dir, config: logConfig({ cleanupPolicy: ['compact'], minCleanableDirtyRatio: 0.01 }), hadCleanShutdown: false });
    await log.append(testBatch({ keys: ['k'], values: ['committed'] })); // 0
    const aborted = buildBatch({ baseOffset: 0, records: [{ key: Buffer.from('k'), value: Buffer.from('aborted'), timestamp: Date.now() }], producerId: 9, producerEpoch: 0, baseSequence: 0, transactional: true });
    await log.append(aborted); // 1
    await log.append(marker(9, 0, ControlRecordType.Abort), { origin: 'coordinator' }); // 2
    await log.append(testBatch({ keys: ['other'], values: ['x'] })); // 3
    log.updateHighWatermark(log.logEndOffset);
    await log.roll();
    await new LogCleaner().clean(log);
    const r = await log.read(0, 1 << 20);
    const values = recordsOf(r.records).map((x) => x.value);
    expect(values).toContain('committed');
    await log.close();
  });
});

