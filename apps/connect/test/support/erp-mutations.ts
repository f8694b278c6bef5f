import type { Connection, RowDataPacket } from 'mysql2/promise';

/**
 * Seeded random write transactions on the ERP tables of erp-fixture.ts (customers,
 * orders, order_lines), as an ERP's users make them: each transaction is one of
 *  - a new order with two lines (35%),
 *  - a customer's credit and name changed (20%),
 *  - an order line's quantity and price changed (20%),
 *  - an order's status and total changed (10%),
 *  - an order cancelled: its lines and the order deleted (10%),
 *  - an order line renumbered: a change of its primary key (order_id, line_no) (5%),
 * every changed row with updated_at = NOW(3) (the session should be in UTC). Returns a
 * function that runs `n` transactions, pausing 100 ms every 50 so a test's other work
 * (kills, reads) gets the machine too.
 */
export async function erpMutations(db: Connection, random: () => number): Promise<(n: number) => Promise<void>> {
  const [[top]] = await db.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS orders, (SELECT COALESCE(MAX(id), 0) FROM customers) AS customers FROM orders');
  let nextOrder = Number(top['orders']) + 1;
  const customers = Math.max(1, Number(top['customers']));
  let done = 0;
  const pick = (n: number): number => 1 + Math.floor(random() * n);
  return async (n) => {
    for (let i = 0; i < n; i++) {
      const r = random();
      await db.query('BEGIN');
      if (r < 0.35) {
        const id = nextOrder++;
        await db.query("INSERT INTO orders (id, customer_id, status, total, updated_at) VALUES (?, ?, 'new', ?, NOW(3))", [id, pick(customers), (pick(100_000) / 100).toFixed(2)]);
        await db.query("INSERT INTO order_lines (order_id, line_no, sku, qty, price, updated_at) VALUES (?, 1, ?, ?, ?, NOW(3)), (?, 2, ?, ?, ?, NOW(3))", [
          id, `SKU-N${id}`, pick(9), (pick(10_000) / 100).toFixed(2), id, `SKU-M${id}`, pick(9), (pick(10_000) / 100).toFixed(2),
        ]);
      } else if (r < 0.55) {
        await db.query("UPDATE customers SET credit = credit + 1.25, name = CONCAT(LEFT(name, 90), '+'), updated_at = NOW(3) WHERE id = ?", [pick(customers)]);
      } else if (r < 0.75) {
        await db.query('UPDATE order_lines SET qty = qty + 1, price = price + 0.01, updated_at = NOW(3) WHERE order_id = ? AND line_no = 1', [pick(nextOrder - 1)]);
      } else if (r < 0.85) {
        await db.query("UPDATE orders SET status = 'paid', total = total + 0.5, updated_at = NOW(3) WHERE id = ?", [pick(nextOrder - 1)]);
      } else if (r < 0.95) {
        const id = pick(nextOrder - 1);
        await db.query('DELETE FROM order_lines WHERE order_id = ?', [id]);
        await db.query('DELETE FROM orders WHERE id = ?', [id]);
      } else {
        await db.query('UPDATE order_lines SET line_no = line_no + 10, updated_at = NOW(3) WHERE order_id = ? AND line_no = 2', [pick(nextOrder - 1)]);
      }
      await db.query('COMMIT');
      if (++done % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
}
