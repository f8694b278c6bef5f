import type { Client } from 'pg';

/**
 * The `accounts` table the Postgres CDC acceptance tests capture, and a seeded writer that
 * keeps changing it: transactions of 1..`maxStatements` inserts (35%), updates (40%),
 * key changes (5%) and deletes (20%) of random rows, `pause` ms apart (a random part
 * included), until stopped. Ids above `rows` are new ones.
 */
export const ACCOUNTS_DDL = 'CREATE TABLE accounts (id BIGINT PRIMARY KEY, customer TEXT NOT NULL, amount NUMERIC(12,2), qty INT, updated TIMESTAMPTZ, flag BOOLEAN, note TEXT)';

export interface AccountsWriterOptions {
  /** Rows the table starts with (ids 1..rows). */
  readonly rows: number;
  readonly maxStatements: number;
  /** Pause between transactions: `base` ms plus up to `random` ms. */
  readonly pause: { readonly base: number; readonly random: number };
}

export function startAccountsWriter(writer: Client, random: () => number, opts: AccountsWriterOptions): { stop: () => Promise<number> } {
  let nextId = opts.rows + 1;
  let running = true;
  let transactions = 0;
  const loop = (async () => {
    while (running) {
      await writer.query('BEGIN');
      const statements = 1 + Math.floor(random() * opts.maxStatements);
      for (let s = 0; s < statements; s++) {
        const pick = random();
        const id = 1 + Math.floor(random() * (nextId - 1));
        if (pick < 0.35) await writer.query(`INSERT INTO accounts VALUES ($1, 'new', 9.99, 1, now(), true, 'inserted')`, [nextId++]);
        else if (pick < 0.75) await writer.query(`UPDATE accounts SET amount = amount + 1, qty = NULL, updated = now(), note = 'u' || $2 WHERE id = $1`, [id, transactions]);
        else if (pick < 0.8) await writer.query('UPDATE accounts SET id = $2 WHERE id = $1', [id, nextId++]);
        else await writer.query('DELETE FROM accounts WHERE id = $1', [id]);
      }
      await writer.query('COMMIT');
      transactions++;
      await new Promise((resolve) => setTimeout(resolve, opts.pause.base + Math.floor(random() * opts.pause.random)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return transactions;
    },
  };
}
