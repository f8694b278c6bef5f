import { bytesText, describeSlotHealth } from './slot-health';

describe('slot health', () => {
  it('describes the WAL a slot holds and its wal_status', () => {
    expect(bytesText(512n)).toBe('512 bytes');
    expect(bytesText(12_595n)).toBe('12.3 kB');
    expect(bytesText(5n * 1024n * 1024n * 1024n)).toBe('5.0 GB');
    expect(describeSlotHealth('s', { walStatus: 'reserved', safeWalSize: null, heldBytes: 2048n, confirmedFlushLsn: '0/1A2B3C4' })).toBe('slot "s": 2.0 kB of WAL held (confirmed_flush_lsn 0/1A2B3C4), wal_status reserved, safe_wal_size unlimited');
    expect(describeSlotHealth('s', { walStatus: null, safeWalSize: null, heldBytes: 0n, confirmedFlushLsn: null })).toBe('slot "s": 0 bytes of WAL held (confirmed_flush_lsn none)');
  });
});
