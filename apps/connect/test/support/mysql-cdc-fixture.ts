import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Client } from 'pg';
import { digestOf, type Digest } from './cdc-warehouse';

/**
 * The ERP orders table of the MySQL CDC integration tests: its DDL, initial rows, seeded
 * random transactions (inserts, updates, primary-key changes, deletes), and a digest of
 * every column computed the same way on the MariaDB source and the Postgres warehouse
 * (count + sha256 over one text line per row, in key order).
 */
export const ordersDdl = (table = 'orders'): string => `CREATE TABLE ${table} (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(12,2), qty INT, placed DATETIME(6),
  updated TIMESTAMP(3) NULL, flag TINYINT(1), note TEXT, payload BLOB) CHARSET utf8mb4`;

export async function fillOrders(db: Connection, rows: number, table = 'orders'): Promise<void> {
  for (let from = 1; from <= rows; from += 5000) {
    const values: string[] = [];
    for (let g = from; g < Math.min(rows + 1, from + 5000); g++) {
      const placed = new Date(Date.UTC(2024, 0, 1) + g * 1000).toISOString().replace('T', ' ').replace('Z', '');
      values.push(`(${g}, 'c${g % 97}', ${(g * 1.25).toFixed(2)}, ${g % 13}, '${placed}${String(g % 1000).padStart(3, '0')}', '2024-06-01 10:00:00.${String(g % 1000).padStart(3, '0')}', ${g % 2}, ${g % 5 === 0 ? 'NULL' : `'note ${g} é😀'`}, UNHEX(MD5('${g}')))`);
    }
    await db.query(`INSERT INTO ${table} VALUES ${values.join(',')}`);
  }
}

export function orderMutations(db: Connection, random: () => number, firstNewId: number, table = 'orders'): (transactions: number) => Promise<void> {
  let nextId = firstNewId;
  return async (transactions) => {
    for (let txn = 0; txn < transactions; txn++) {
      await db.query('BEGIN');
      for (let s = 0; s < 3; s++) {
        const pick = random();
        const id = 1 + Math.floor(random() * (nextId - 1));
        if (pick < 0.4) await db.query(`INSERT INTO ${table} VALUES (?, 'new', 9.99, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(3), 1, 'inserted', x'00ff')`, [nextId++]);
        else if (pick < 0.75) await db.query(`UPDATE ${table} SET amount = amount + 1, note = CONCAT('updated ', ?), qty = NULL WHERE id = ?`, [txn, id]);
        else if (pick < 0.8) await db.query(`UPDATE ${table} SET id = ? WHERE id = ?`, [nextId++, id]);
        else await db.query(`DELETE FROM ${table} WHERE id = ?`, [id]);
      }
      await db.query('COMMIT');
      if (txn % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
}

export type { Digest };

export async function sourceDigest(db: Connection, table = 'orders'): Promise<Digest> {
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT CONCAT_WS('|', id, customer, IFNULL(amount, 'N'), IFNULL(qty, 'N'), IFNULL(DATE_FORMAT(placed, '%Y-%m-%d %H:%i:%s.%f'), 'N'), IFNULL(DATE_FORMAT(updated, '%Y-%m-%d %H:%i:%s.%f'), 'N'),
            IFNULL(flag, 'N'), IFNULL(note, 'N'), IFNULL(LOWER(HEX(payload)), 'N')) AS line FROM ${table} ORDER BY id`,
  );
  return digestOf(rows.map((r) => String(r.line)));
}

export async function warehouseDigest(db: Client, table = 'orders'): Promise<Digest> {
  const { rows } = await db.query<{ line: string }>(
    `SELECT concat_ws('|', id, customer, coalesce(amount::text, 'N'), coalesce(qty::text, 'N'), coalesce(to_char(placed, 'YYYY-MM-DD HH24:MI:SS.US'), 'N'), coalesce(to_char(updated, 'YYYY-MM-DD HH24:MI:SS.US'), 'N'),
            coalesce((flag::int)::text, 'N'), coalesce(note, 'N'), coalesce(encode(payload, 'hex'), 'N')) AS line FROM ${table} ORDER BY id`,
  );
  return digestOf(rows.map((r) => r.line));
}
