import { decodeTxnKey, decodeTxnValue, encodeTxnKey, encodeTxnValue, partitionForTransactionalId } from './transaction-log-format';
import { TxnState } from './transaction-metadata';

describe('__transaction_state records', () => {
  it('partitions ids like Kafka: abs(String.hashCode) % partitions', () => {
    // "abc".hashCode() == 96354 in Java.
    expect(partitionForTransactionalId('abc', 50)).toBe(96354 % 50);
    // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Utils.abs gives 0.
    expect(partitionForTransactionalId('polygenelubricants', 50)).toBe(0);
  });

  it('encodes TransactionLogKey v0 and TransactionLogValue v0 byte for byte', () => {
    expect(encodeTxnKey('abc').toString('hex')).toBe('0000' + '0003' + '616263');
    const value = encodeTxnValue({
      producerId: 5,
      producerEpoch: 2,
      txnTimeoutMs: 60000,
      state: TxnState.Ongoing,
      partitions: new Map([['t', new Set([1, 0])]]),
      txnLastUpdateTimestamp: 1000,
      txnStartTimestamp: 900,
    });
    expect(value.toString('hex')).toBe(
      '0000' + // version 0
        '0000000000000005' + // producerId
        '0002' + // producerEpoch
        '0000ea60' + // timeout 60000
        '01' + // status Ongoing
        '00000001' + '0001' + '74' + '00000002' + '00000000' + '00000001' + // [{topic "t", partitions [0, 1]}]
        '00000000000003e8' + // last update
        '0000000000000384', // start
    );
    expect(decodeTxnKey(encodeTxnKey('abc'))).toBe('abc');
    expect(decodeTxnValue(value)).toMatchObject({ producerId: 5, producerEpoch: 2, state: TxnState.Ongoing, partitions: new Map([['t', new Set([0, 1])]]) });
  });

  it('writes no partitions for a completed transaction', () => {
    const v = decodeTxnValue(
      encodeTxnValue({ producerId: 1, producerEpoch: 0, txnTimeoutMs: 1, state: TxnState.CompleteCommit, partitions: new Map([['t', new Set([0])]]), txnLastUpdateTimestamp: 0, txnStartTimestamp: 0 }),
    );
    expect(v.partitions.size).toBe(0);
  });
});
