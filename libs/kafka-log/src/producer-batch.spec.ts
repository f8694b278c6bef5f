import { decodeBatch, type RecordInput } from '@millrace/protocol';
import { estimateRecordBytes, ProducerBatch, type AppendRequest } from './producer-batch';

function request(count: number): { req: AppendRequest; result: Promise<number[]> } {
  let req!: AppendRequest;
  const result = new Promise<number[]>((resolve, reject) => {
    req = { offsets: new Array<number>(count), remaining: count, resolve, reject, settled: false };
  });
  return { req, result };
}

const rec = (i: number): RecordInput => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), headers: [{ key: 'h', value: Buffer.from([i]) }] });

describe('ProducerBatch', () => {
  it('encodes one RecordBatch v2 carrying the producer id, epoch, base sequence and the records in order', () => {
    const b = new ProducerBatch('t', 2);
    const { req } = request(3);
    const records = [rec(0), rec(1), rec(2)];
    b.add(req, 0, records, records.reduce((n, r) => n + estimateRecordBytes(r), 0));
    const bytes = b.seal(4242, 7, 1000);
    const decoded = decodeBatch(bytes);
    expect(decoded.size).toBe(bytes.length);
    expect(decoded.header).toMatchObject({ producerId: 4242, producerEpoch: 7, baseSequence: 1000, recordsCount: 3, lastOffsetDelta: 2, baseOffset: 0 });
    expect(decoded.records.map((r) => [r.offset, r.key?.toString(), r.value?.toString(), r.headers[0].value?.[0]])).toEqual([
      [0, 'k0', 'value-0', 0],
      [1, 'k1', 'value-1', 1],
      [2, 'k2', 'value-2', 2],
    ]);
    expect(() => b.add(req, 0, [rec(3)], 10)).toThrow('sealed');
  });

  it('estimates a record at no less than its encoded size and at most 12 bytes more', () => {
    for (const r of [rec(1), { key: null, value: Buffer.alloc(300) }, { value: Buffer.alloc(20_000), headers: [{ key: 'ü', value: null }] }]) {
      const b = new ProducerBatch('t', 0);
      const { req } = request(1);
      b.add(req, 0, [r], estimateRecordBytes(r));
      const encodedRecordBytes = b.seal(1, 0, 0).length - 61;
      expect(estimateRecordBytes(r)).toBeGreaterThanOrEqual(encodedRecordBytes);
      expect(estimateRecordBytes(r) - encodedRecordBytes).toBeLessThanOrEqual(12);
    }
  });

  it('resolves an append spread over two batches with each record offset once both are acknowledged', async () => {
    const { req, result } = request(5);
    const first = new ProducerBatch('t', 0);
    const second = new ProducerBatch('t', 0);
    const other = request(1);
    first.add(other.req, 0, [rec(9)], 20);
    first.add(req, 0, [rec(0), rec(1)], 40);
    second.add(req, 2, [rec(2), rec(3), rec(4)], 60);
    first.complete(100);
    expect(req.remaining).toBe(3);
    await expect(other.result).resolves.toEqual([100]);
    second.complete(500);
    await expect(result).resolves.toEqual([101, 102, 500, 501, 502]);
  });

  it('rejects every append of a failed batch once, and leaves already resolved appends alone', async () => {
    const a = request(1);
    const c = request(1);
    const b1 = new ProducerBatch('t', 0);
    b1.add(a.req, 0, [rec(0)], 20);
    b1.complete(7);
    const b2 = new ProducerBatch('t', 0);
    b2.add(c.req, 0, [rec(1)], 20);
    b2.fail(new Error('boom'));
    b2.fail(new Error('again'));
    b1.fail(new Error('late'));
    await expect(a.result).resolves.toEqual([7]);
    await expect(c.result).rejects.toThrow('boom');
  });
});
