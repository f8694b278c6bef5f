import { ProtocolDecodeError, Writer } from '@millrace/protocol';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  GroupMetadataValue,
} from './consumer-offsets-format';

describe('__consumer_offsets record formats', () => {
  it('encodes OffsetCommitKey v1 byte by byte', () => {
    const key = encodeOffsetCommitKey('g', 'topic', 3);
    expect(key.toString('hex')).toBe(
      '0001' + // version 1
        '0001' + '67' + // group "g"
        '0005' + Buffer.from('topic').toString('hex') +
        '00000003', // partition 3
    );
    expect(decodeKey(key)).toEqual({ type: 'offset', group: 'g', topic: 'topic', partition: 3 });
  });

  it('decodes OffsetCommitKey v0 as an offset key and ignores unknown key versions', () => {
    const v0 = new Writer().int16(0).string('g').string('t').int32(7).finish();
    expect(decodeKey(v0)).toEqual({ type: 'offset', group: 'g', topic: 't', partition: 7 });
    expect(decodeKey(new Writer().int16(3).string('g').finish())).toBeNull();
  });

  it('encodes GroupMetadataKey v2 byte by byte', () => {
    const key = encodeGroupMetadataKey('grp');
    expect(key.toString('hex')).toBe('0002' + '0003' + Buffer.from('grp').toString('hex'));
    expect(decodeKey(key)).toEqual({ type: 'group', group: 'grp' });
  });

  it('encodes OffsetCommitValue v3 byte by byte and round-trips', () => {
    const v = { offset: 42, leaderEpoch: 5, metadata: 'm', commitTimestamp: 1000, expireTimestamp: null };
    const buf = encodeOffsetCommitValue(v);
    expect(buf.toString('hex')).toBe(
      '0003' + // version 3
        '000000000000002a' + // offset 42
        '00000005' + // leader epoch 5
        '0001' + '6d' + // metadata "m"
        '00000000000003e8', // commit timestamp 1000
    );
    expect(decodeOffsetCommitValue(buf)).toEqual(v);
  });

  it('writes version 1 (with expireTimestamp) for commits with explicit retention', () => {
    const v = { offset: 1, leaderEpoch: -1, metadata: '', commitTimestamp: 10, expireTimestamp: 20 };
    const buf = encodeOffsetCommitValue(v);
    expect(buf.readInt16BE(0)).toBe(1);
    expect(buf.length).toBe(2 + 8 + 2 + 8 + 8);
    expect(decodeOffsetCommitValue(buf)).toEqual(v);
  });

  it('decodes OffsetCommitValue v0 and v2 (no leader epoch)', () => {
    for (const version of [0, 2]) {
      const buf = new Writer().int16(version).int64(99).string('x').int64(5).finish();
      expect(decodeOffsetCommitValue(buf)).toEqual({ offset: 99, leaderEpoch: -1, metadata: 'x', commitTimestamp: 5, expireTimestamp: null });
    }
  });

  it('round-trips GroupMetadataValue v3 and lays it out as Kafka does', () => {
    const v: GroupMetadataValue = {
      protocolType: 'consumer',
      generation: 3,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: 1234,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: 'i1',
          clientId: 'c',
          clientHost: '/1.2.3.4',
          rebalanceTimeout: 30000,
          sessionTimeout: 10000,
          subscription: Buffer.from([1, 2]),
          assignment: Buffer.from([3]),
        },
        {
          memberId: 'm2',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: '/1.2.3.5',
          rebalanceTimeout: 30000,
          sessionTimeout: 10000,
          subscription: Buffer.alloc(0),
          assignment: Buffer.alloc(0),
        },
      ],
    };
    const buf = encodeGroupMetadataValue(v);
    expect(decodeGroupMetadataValue(buf)).toEqual(v);
    const expectedHead = new Writer()
      .int16(3)
      .string('consumer')
      .int32(3)
      .nullableString('range')
      .nullableString('m1')
      .int64(1234)
      .int32(2)
      .string('m1')
      .nullableString('i1')
      .finish();
    expect(buf.subarray(0, expectedHead.length)).toEqual(expectedHead);
    // An Empty group: null protocol and leader (int16 -1).
    const empty = encodeGroupMetadataValue({ ...v, protocol: null, leader: null, members: [] });
    expect(decodeGroupMetadataValue(empty)).toEqual({ ...v, protocol: null, leader: null, members: [] });
  });

  it('decodes GroupMetadataValue v0 (no rebalance timeout, timestamp, or instance id)', () => {
    const buf = new Writer()
      .int16(0)
      .string('consumer')
      .int32(1)
      .nullableString('range')
      .nullableString('m1')
      .int32(1)
      .string('m1')
      .string('c')
      .string('/h')
      .int32(6000)
      .bytes(Buffer.from([9]))
      .bytes(Buffer.from([8]))
      .finish();
    expect(decodeGroupMetadataValue(buf)).toEqual({
      protocolType: 'consumer',
      generation: 1,
      protocol: 'range',
      leader: 'm1',
      currentStateTimestamp: -1,
      members: [
        {
          memberId: 'm1',
          groupInstanceId: null,
          clientId: 'c',
          clientHost: '/h',
          rebalanceTimeout: 6000,
          sessionTimeout: 6000,
          subscription: Buffer.from([9]),
          assignment: Buffer.from([8]),
        },
      ],
    });
  });

  it('rejects truncated values', () => {
    const buf = encodeOffsetCommitValue({ offset: 1, leaderEpoch: 0, metadata: 'abc', commitTimestamp: 1, expireTimestamp: null });
    expect(() => decodeOffsetCommitValue(buf.subarray(0, buf.length - 1))).toThrow(ProtocolDecodeError);
    expect(() => decodeKey(Buffer.from([0, 1, 0, 9, 0x61]))).toThrow(ProtocolDecodeError);
  });
});
