import { ByteWriter } from './binary-codec';
import { decodeConsumerAssignment, decodeConsumerSubscription, listAssignedPartitions } from './consumer-protocol';
import { encodeAssignment, encodeSubscription } from './group-coordinator.test-helpers';

describe('ConsumerProtocol decoding', () => {
  it('decodes an assignment into topics and partitions', () => {
    const buf = encodeAssignment(
      [
        { topic: 'b', partitions: [2, 0] },
        { topic: 'a', partitions: [1] },
      ],
      Buffer.from('ud'),
    );
    expect(decodeConsumerAssignment(buf)).toEqual({
      version: 0,
      assignedPartitions: [
        { topic: 'b', partitions: [2, 0] },
        { topic: 'a', partitions: [1] },
      ],
      userData: Buffer.from('ud'),
    });
    expect(listAssignedPartitions(buf)).toEqual([
      { topic: 'a', partition: 1 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 2 },
    ]);
  });

  it('treats an empty buffer as no assignment', () => {
    expect(listAssignedPartitions(Buffer.alloc(0))).toEqual([]);
  });

  it('decodes subscriptions v0 and v3', () => {
    expect(decodeConsumerSubscription(encodeSubscription(['t1', 't2'])).topics).toEqual(['t1', 't2']);
    const v3 = new ByteWriter()
      .int16(3)
      .array(['x'], (w, t) => void w.string(t))
      .nullableBytes(null)
      .array([{ topic: 'x', partitions: [0] }], (w, tp) => void w.string(tp.topic).array(tp.partitions, (pw, p) => void pw.int32(p)))
      .int32(4)
      .nullableString('rack-a')
      .toBuffer();
    expect(decodeConsumerSubscription(v3)).toEqual({
      version: 3,
      topics: ['x'],
      userData: null,
      ownedPartitions: [{ topic: 'x', partitions: [0] }],
      generationId: 4,
      rackId: 'rack-a',
    });
  });
});
