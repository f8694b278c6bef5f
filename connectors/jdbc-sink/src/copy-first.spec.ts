import type { PoolClient } from 'pg';
import { CopyFirst, MIN_ROWS } from './copy-first';

/** A client that answers the plain-table check with `plain` and records every statement. */
function fakeClient(plain: boolean): { client: PoolClient; sql: string[] } {
  const sql: string[] = [];
  const client = {
    query: async (text: string) => {
      sql.push(text.startsWith('SELECT c.relkind') ? 'CHECK' : text);
      return { rows: text.startsWith('SELECT c.relkind') ? [{ plain }] : [] };
    },
  } as unknown as PoolClient;
  return { client, sql };
}

const conflict = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });

describe('CopyFirst', () => {
  it('copies inside a savepoint and releases it when nothing conflicts', async () => {
    const { client, sql } = fakeClient(true);
    let copies = 0;
    expect(await new CopyFirst().attempt(client, '"t"', ['id'], MIN_ROWS, async () => void copies++)).toBe(true);
    expect(copies).toBe(1);
    expect(sql).toEqual(['CHECK', 'SAVEPOINT millrace_copy_first', 'RELEASE SAVEPOINT millrace_copy_first']);
  });

  it('leaves runs of fewer than MIN_ROWS rows to the upsert, without a statement', async () => {
    const { client, sql } = fakeClient(true);
    const copy = jest.fn(async () => undefined);
    expect(await new CopyFirst().attempt(client, '"t"', ['id'], MIN_ROWS - 1, copy)).toBe(false);
    expect(copy).not.toHaveBeenCalled();
    expect(sql).toEqual([]);
  });

  it('leaves tables that are not plain (triggers, rules, RLS, identity always) to the upsert', async () => {
    const { client, sql } = fakeClient(false);
    const copy = jest.fn(async () => undefined);
    expect(await new CopyFirst().attempt(client, '"t"', ['id'], MIN_ROWS, copy)).toBe(false);
    expect(copy).not.toHaveBeenCalled();
    expect(sql).toEqual(['CHECK']);
  });

  it('rolls back to the savepoint on a unique violation, then skips the target for 1, 2, 4 ... 64 batches until a copy succeeds', async () => {
    const { client, sql } = fakeClient(true);
    const first = new CopyFirst();
    let fail = true;
    const tried: number[] = [];
    let call = 0;
    const copy = async () => {
      tried.push(call);
      if (fail) throw conflict;
    };
    for (; call < 200; call++) expect(await first.attempt(client, '"t"', ['id'], MIN_ROWS, copy)).toBe(false);
    const gaps = tried.slice(1).map((t, i) => t - tried[i] - 1);
    expect(gaps).toEqual([1, 2, 4, 8, 16, 32, 64, 64]);
    expect(sql.filter((q) => q === 'ROLLBACK TO SAVEPOINT millrace_copy_first')).toHaveLength(tried.length);
    expect(await first.attempt(client, '"other"', ['id'], MIN_ROWS, copy)).toBe(false); // another target is tried at once
    fail = false;
    let waited = 0;
    while (!(await first.attempt(client, '"t"', ['id'], MIN_ROWS, copy))) waited++;
    expect(waited).toBeLessThanOrEqual(64);
    const before = tried.length;
    expect(await first.attempt(client, '"t"', ['id'], MIN_ROWS, copy)).toBe(true); // a success resets the backoff
    expect(tried.length).toBe(before + 1);
  });

  it('throws any other failure as it is', async () => {
    const { client } = fakeClient(true);
    const bad = Object.assign(new Error('invalid input syntax'), { code: '22P02' });
    await expect(
      new CopyFirst().attempt(client, '"t"', ['id'], MIN_ROWS, async () => {
        throw bad;
      }),
    ).rejects.toBe(bad);
  });
});
