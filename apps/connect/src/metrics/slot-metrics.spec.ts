import { Registry } from 'prom-client';
import { SlotMetrics } from './slot-metrics';

describe('CDC replication slots in /metrics', () => {
  const registry = new Registry();
  const series = async (): Promise<string[]> => (await registry.metrics()).split('\n').filter((l) => l.startsWith('millrace_cdc_slot_'));

  it('shows the slot a task pushed (lag, safe_wal_size when limited, wal_status one-hot); null or a removed task drops its series', async () => {
    const metrics = new SlotMetrics(registry);
    metrics.set('cdc/0', 'cdc', 0, { slot: 'erp_slot', lagBytes: 123456, walStatus: 'reserved', safeWalSizeBytes: 1 << 30 });
    metrics.set('other/0', 'other', 0, { slot: 'o_slot', lagBytes: 0, walStatus: null, safeWalSizeBytes: null });
    expect(await series()).toEqual(
      expect.arrayContaining([
        'millrace_cdc_slot_lag_bytes{connector="cdc",task="0",slot="erp_slot"} 123456',
        'millrace_cdc_slot_safe_wal_size_bytes{connector="cdc",task="0",slot="erp_slot"} 1073741824',
        'millrace_cdc_slot_wal_status{connector="cdc",task="0",slot="erp_slot",status="reserved"} 1',
        'millrace_cdc_slot_wal_status{connector="cdc",task="0",slot="erp_slot",status="lost"} 0',
        'millrace_cdc_slot_lag_bytes{connector="other",task="0",slot="o_slot"} 0',
      ]),
    );
    expect((await series()).filter((l) => l.includes('o_slot'))).toHaveLength(1);
    metrics.set('cdc/0', 'cdc', 0, null);
    metrics.remove('other/0');
    expect(await series()).toEqual([]);
  });
});
