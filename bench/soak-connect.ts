import type { BrokerProcess } from '@millrace/testing';
import {
  createAndLoadErp,
  createErpConnectors,
  erpSizesFor,
  insertAndUpdate,
  measureLag,
  startErpPipeline,
  waitForCounts,
  type ErpPipeline,
} from '../apps/connect/test/support/erp-fixture';

/**
 * The ERP -> warehouse pipeline running beside `npm run soak`'s load: the acceptance
 * fixture of apps/connect/test/erp-warehouse.it.spec.ts (MariaDB "ERP", jdbc-source in
 * timestamp+incrementing mode, Avro through the broker, jdbc-sink upserting into
 * Postgres). Its broker is the one the soak loads. Each tick inserts a few orders and
 * measures the end-to-end lag of one marked update (ERP commit to warehouse row).
 */
export class ConnectSoak {
  private constructor(private readonly p: ErpPipeline) {}

  static async start(rows = 10_000, brokerEnv: Record<string, string> = {}): Promise<ConnectSoak> {
    const p = await startErpPipeline(1, brokerEnv);
    try {
      await createAndLoadErp(p.erp, erpSizesFor(rows));
      await createErpConnectors(p, { batchMaxRows: 5000, pollIntervalMs: 200 });
      await waitForCounts(p, 180_000);
      return new ConnectSoak(p);
    } catch (err) {
      await p.stop();
      throw err;
    }
  }

  get broker(): BrokerProcess {
    return this.p.broker;
  }

  /** New ERP rows, then the lag (ms) of one marked update reaching the warehouse. */
  async tick(): Promise<number> {
    await insertAndUpdate(this.p.erp, 20, 0);
    const [lag] = await measureLag(this.p, 1, 1, 120_000);
    return lag;
  }

  stop(): Promise<void> {
    return this.p.stop();
  }
}
