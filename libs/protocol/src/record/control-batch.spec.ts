import { buildBatch } from './batch-builder';
import { decodeBatch } from './batch-decoder';
import { isControl, isTransactional } from './batch-header';
import {
  ControlRecordType,
  buildControlBatch,
  controlRecordKey,
  endTxnMarkerValue,
  parseControlBatch,
  parseControlRecord,
} from './control-batch';
import { RecordDecodeError } from './errors';

describe('control batches (transaction markers)', () => {
  it.each([ControlRecordType.Commit, ControlRecordType.Abort] as const)('type %d round-trips', (type) => {
    const buf = buildControlBatch({ baseOffset: 500, producerId: 42, producerEpoch: 7, type, coordinatorEpoch: 13, timestamp: 1234, partitionLeaderEpoch: 2 });
    const parsed = parseControlBatch(buf);
    expect(isControl(parsed.header.attributes)).toBe(true);
    expect(isTransactional(parsed.header.attributes)).toBe(true);
    expect(parsed.header).toMatchObject({ baseOffset: 500, producerId: 42, producerEpoch: 7, baseSequence: -1, recordsCount: 1, partitionLeaderEpoch: 2, maxTimestamp: 1234 });
    expect(parsed.records).toEqual([{ version: 0, type, marker: { type, coordinatorEpoch: 13 } }]);
  });

  it('writes the documented key/value bytes', () => {
    const { records } = decodeBatch(buildControlBatch({ baseOffset: 0, producerId: 1, producerEpoch: 0, type: ControlRecordType.Commit, coordinatorEpoch: 5 }));
    expect(records[0].key?.toString('hex')).toBe('00000001');
    expect(records[0].value?.toString('hex')).toBe('000000000005');
    expect(records[0].headers).toEqual([]);
  });

  it('reports other control types without parsing their value', () => {
    expect(parseControlRecord({ key: controlRecordKey(ControlRecordType.LeaderChange), value: Buffer.from('whatever') })).toEqual({
      version: 0,
      type: ControlRecordType.LeaderChange,
    });
  });

  it('rejects malformed keys and marker values', () => {
    expect(() => parseControlRecord({ key: null, value: null })).toThrow(RecordDecodeError);
    expect(() => parseControlRecord({ key: Buffer.from([0, 0, 0]), value: endTxnMarkerValue(1) })).toThrow(/4 bytes/);
    expect(() => parseControlRecord({ key: Buffer.from('ffff0001', 'hex'), value: endTxnMarkerValue(1) })).toThrow(/version/);
    expect(() => parseControlRecord({ key: controlRecordKey(ControlRecordType.Abort), value: Buffer.from([0, 0]) })).toThrow(/6 bytes/);
  });

  it('parseControlBatch refuses a data batch', () => {
    const data = buildBatch({ baseOffset: 0, records: [{ key: controlRecordKey(1), value: endTxnMarkerValue(0) }] });
    expect(() => parseControlBatch(data)).toThrow(/not a control batch/);
  });
});
