import { Writer } from '../codec/writer';
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
  listAssignedPartitions,
} from './consumer-protocol';

/** The decoded message as one object: `{ version, ...fields }`. */
const flat = <T extends object>(d: { version: number; value: T }): { version: number } & T => ({ version: d.version, ...d.value });

/** Assignment v0 as the group coordinator specs build it. */
const encodeAssignment = (assigned: { topic: string; partitions: number[] }[], userData: Buffer | null = null): Buffer =>
  encodeConsumerAssignment(0, { assignedPartitions: assigned, userData });

/** Subscription v0 with null user data. */
const encodeSubscription = (topics: string[]): Buffer => encodeConsumerSubscription(0, { topics, userData: null });

describe('ConsumerProtocol decoding', () => {
  it('decodes an assignment into topics and partitions', () => {
    const buf = encodeAssignment(
      [
        { topic: 'b', partitions: [2, 0] },
        { topic: 'a', partitions: [1] },
      ],
      Buffer.from('ud'),
    );
    expect(flat(decodeConsumerAssignment(buf))).toEqual({
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
    expect(decodeConsumerSubscription(encodeSubscription(['t1', 't2'])).value.topics).toEqual(['t1', 't2']);
    const v3 = new Writer()
      .int16(3)
      .arrayLength(1)
      .string('x')
      .nullableBytes(null)
      .arrayLength(1)
      .string('x')
      .arrayLength(1)
      .int32(0)
      .int32(4)
      .nullableString('rack-a')
      .finish();
    expect(flat(decodeConsumerSubscription(v3))).toEqual({
      version: 3,
      topics: ['x'],
      userData: null,
      ownedPartitions: [{ topic: 'x', partitions: [0] }],
      generationId: 4,
      rackId: 'rack-a',
    });
  });
});
