import { ProtocolDecodeError } from '../codec/decode-error';
import {
  decodeConsumerAssignment,
  decodeConsumerSubscription,
  encodeConsumerAssignment,
  encodeConsumerSubscription,
} from './consumer-protocol';

describe('consumer protocol', () => {
  it('round-trips a v3 subscription', () => {
    const value = {
      topics: ['a', 'b'],
      userData: null,
      ownedPartitions: [{ topic: 'a', partitions: [0, 2] }],
      generationId: 4,
      rackId: 'r1',
    };
    const bytes = encodeConsumerSubscription(3, value);
    expect(bytes.readInt16BE(0)).toBe(3);
    expect(decodeConsumerSubscription(bytes)).toEqual({ version: 3, value });
  });

  it('decodes a v0 subscription as kafkajs writes it (topics, empty user data)', () => {
    const bytes = Buffer.from('0000' + '00000001' + '0006676f6c64656e' + '00000000', 'hex');
    expect(decodeConsumerSubscription(bytes)).toEqual({
      version: 0,
      value: { topics: ['golden'], userData: Buffer.alloc(0), ownedPartitions: [], generationId: -1, rackId: null },
    });
  });

  it('reads a newer version with the newest known layout, ignoring trailing bytes', () => {
    const v3 = encodeConsumerAssignment(3, { assignedPartitions: [{ topic: 't', partitions: [1] }], userData: null });
    const v9 = Buffer.concat([v3, Buffer.from('cafe', 'hex')]);
    v9.writeInt16BE(9, 0);
    expect(decodeConsumerAssignment(v9)).toEqual({ version: 9, value: { assignedPartitions: [{ topic: 't', partitions: [1] }], userData: null } });
  });

  it('rejects truncated and negative-version data', () => {
    const bytes = encodeConsumerAssignment(1, { assignedPartitions: [{ topic: 't', partitions: [1] }], userData: Buffer.from('u') });
    for (let i = 0; i < bytes.length; i++) expect(() => decodeConsumerAssignment(bytes.subarray(0, i))).toThrow(ProtocolDecodeError);
    expect(() => decodeConsumerAssignment(Buffer.from('ffff', 'hex'))).toThrow(ProtocolDecodeError);
  });
});
