import {
  createAndLoadErp,
  createErpConnectors,
  erpCounts,
  erpRowCount,
  erpSizesFor,
  insertAndUpdate,
  measureLag,
  percentile,
  startErpPipeline,
  waitForCounts,
  waitForEqualDigests,
  warehouseCounts,
  type ErpPipeline,
} from './support/erp-fixture';

/**
 * Acceptance: a MariaDB "ERP" with 3 tables (customers, orders, order_lines; 100k rows)
 * flows through the broker into a Postgres warehouse; later inserts and updates arrive
 * too; the warehouse tables equal the source: row count, plus a checksum over all columns.
 * See support/erp-fixture.ts for the pipeline (one jdbc-source in timestamp+incrementing
 * mode, Avro, one jdbc-sink upserting on the record key, RegexRouter erp.x -> x).
 */
const TOTAL_ROWS = 100_000;

describe('ERP (MariaDB) to warehouse (Postgres) through the broker', () => {
  let p: ErpPipeline;
  const sizes = erpSizesFor(TOTAL_ROWS);

  beforeAll(async () => {
    p = await startErpPipeline();
  }, 120_000);

  afterAll(async () => {
    await p?.stop();
  });

  test('100k rows sync, later inserts and updates follow, and both sides checksum equal', async () => {
    const loadStart = Date.now();
    await createAndLoadErp(p.erp, sizes);
    const source = await erpCounts(p.erp);
    expect(source.customers + source.orders + source.order_lines).toBe(erpRowCount(sizes));
    expect(erpRowCount(sizes)).toBe(TOTAL_ROWS);
    const loadMs = Date.now() - loadStart;

    const syncStart = Date.now();
    await createErpConnectors(p, { batchMaxRows: 5000, pollIntervalMs: 200 });
    await waitForCounts(p, 150_000);
    const syncMs = Date.now() - syncStart;
    expect(await warehouseCounts(p.warehouse)).toEqual(source);
    const digests = await waitForEqualDigests(p, 30_000);
    process.stdout.write(
      `erp-warehouse: loaded ${TOTAL_ROWS} ERP rows in ${loadMs} ms; initial sync ${TOTAL_ROWS} rows in ${syncMs} ms = ` +
        `${Math.round((TOTAL_ROWS * 1000) / syncMs)} rows/s (connector creation to all rows in the warehouse)\n` +
        `erp-warehouse: digests ${JSON.stringify(digests)}\n`,
    );

    await insertAndUpdate(p.erp, 500, 500);
    const after = await erpCounts(p.erp);
    expect(after.orders + after.order_lines).toBe(source.orders + source.order_lines + 500);
    await waitForCounts(p, 60_000);
    expect(await warehouseCounts(p.warehouse)).toEqual(after);
    await waitForEqualDigests(p, 60_000);

    const lags = await measureLag(p, 10, 4);
    process.stdout.write(`erp-warehouse: steady-state lag over ${lags.length} updates: p50 ${percentile(lags, 0.5)} ms, max ${Math.max(...lags)} ms\n`);
    expect(lags).toHaveLength(10);
    await waitForEqualDigests(p, 30_000);
  });
});
