import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { findRepoRoot, retryUntil, runCommand } from '@millrace/testing';
import { chromium } from 'playwright-core';
import { waitFor } from './support/connect-rest';
import * as cdc from './support/postgres-cdc';

/**
 * A live CDC snapshot as an operator watches it (issue 16): a Postgres CDC source
 * snapshots a table in many small chunks on one thread, paused at its first progress
 * line (so it is held mid-way however fast the machine is; no sleeps anywhere); then
 * - `millrace snapshot status --json` parses and carries rows done/total;
 * - the web console's connector page shows the task's progress bar with rows done/total;
 * - `millrace snapshot status --watch` (a child process, not a terminal: one frame after
 *   the other) draws the held snapshot, the console's Resume button sets it going again
 *   (RUNNING through the REST API), and the watch draws frames with a bar, rows done
 *   growing against the table's row count and the table's name, then ends by itself
 *   with exit 0 once the snapshot is over;
 * - the console's offsets table shows what the REST API's offsets are.
 */
const repoRoot = findRepoRoot(__dirname);
const BIN = path.join(repoRoot, 'bin', 'millrace.js');
const ROWS = 80_000;
const FRAME = /^sp-src task 0 \[[#.]{30}\]\s+(\d+)% {2}(\d+)\/(\d+) rows {2}(\d+)\/(\d+) chunks {2}\d+ rows\/s {2}ETA (?:\d+ s|\?) {2}public\.items (\d+)\/(\d+)$/;

/** waitFor with its own poll interval. */
function poll<T>(what: string, attempt: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs: number): Promise<T> {
  return retryUntil(what, async () => {
    const v = await attempt();
    if (v === undefined || v === false) throw new Error('not yet');
    return v;
  }, { timeoutMs, intervalMs });
}

interface TaskProgress {
  task: number;
  state: string;
  rowsDone: number | null;
  rowsTotal: number | null;
  tables: string | null;
}

describe('CDC snapshot progress: CLI watch and console', () => {
  const env = cdc.usePostgresCdc({ console: true });

  beforeAll(async () => {
    await env.db.query(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, note text)`);
    await env.db.query(`INSERT INTO items SELECT g, 'item-' || g, repeat('x', 40) FROM generate_series(1, ${ROWS}) g`);
  });

  const rowsDone = (trace: string | null | undefined): number | null => {
    const m = /^snapshot \d+% \((\d+)\/\d+ rows/.exec(trace ?? '');
    return m ? Number(m[1]) : null;
  };

  /** Rows done once the paused task's line stops moving (a poll in flight at the pause still counts). */
  const pausedAt = async (): Promise<number> => {
    let last = -1;
    return poll('the task is paused mid-snapshot', async () => {
      const t = (await env.rest.status('sp-src')).tasks[0];
      const n = rowsDone(t?.trace);
      const settled = t?.state === 'PAUSED' && n !== null && n === last;
      last = n ?? -1;
      return settled ? n : undefined;
    }, 30_000, 1100);
  };

  it('shows a running snapshot live, resumes it from the console and ends the watch when it completes', async () => {
    const started = Date.now();
    await cdc.createConnector(
      env.rest,
      'sp-src',
      cdc.cdcConfig(env.pg, { 'topic.prefix': 'sp', 'table.include.list': 'public.items', 'slot.name': 'sp_slot', 'publication.name': 'sp_pub', 'snapshot.max.threads': '1', 'snapshot.chunk.rows': '300', 'snapshot.fetch.size': '100' }),
    );
    // paused at its first progress line: the snapshot is held mid-way however fast this machine is
    await waitFor('the snapshot reports progress', async () => rowsDone((await env.rest.status('sp-src')).tasks[0]?.trace) !== null, 60_000);
    expect((await env.rest.call('PUT', '/connectors/sp-src/pause')).status).toBe(202);
    const held = await pausedAt();
    expect(held).toBeLessThan(ROWS);

    const cliEnv = { MILLRACE_CONNECT_URL: env.connect.url };
    const once = await runCommand(process.execPath, [BIN, 'snapshot', 'status', 'sp-src', '--json'], { cwd: repoRoot, timeoutMs: 30_000, env: cliEnv });
    expect(once.code).toBe(0);
    const doc = JSON.parse(once.stdout.toString('utf8')) as { connector: string; tasks: TaskProgress[] };
    expect(doc.connector).toBe('sp-src');
    expect(doc.tasks[0]).toMatchObject({ task: 0, state: 'PAUSED', rowsTotal: ROWS, tables: expect.stringMatching(new RegExp(`^public\\.items \\d+/${ROWS}`)) });
    expect(doc.tasks[0].rowsDone).toBeLessThan(ROWS);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://${env.broker.host}:${env.broker.httpPort}/console/#/connectors/sp-src`);
      const row = page.getByTestId('task-table').locator('tbody tr').first();
      await row.getByRole('progressbar').waitFor({ timeout: 20_000 });
      const m = /(\d+)\/(\d+) rows, \d+ rows\/s/.exec((await row.textContent()) ?? '');
      expect(m).not.toBeNull();
      expect(Number(m?.[2])).toBe(ROWS);
      expect(Number(m?.[1])).toBeLessThan(ROWS);
      expect(Number(await row.getByRole('progressbar').getAttribute('aria-valuenow'))).toBe(Math.floor((100 * Number(m?.[1])) / ROWS));

      // the watch as a child process (not a terminal: one frame after the other)
      const watch = spawn(process.execPath, [BIN, 'snapshot', 'status', 'sp-src', '--watch'], { cwd: repoRoot, env: { ...process.env, ...cliEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      watch.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      watch.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      const exited = new Promise<number | null>((resolve) => watch.on('close', (code) => resolve(code)));
      const killer = setTimeout(() => watch.kill('SIGKILL'), 90_000);
      await waitFor('the watch drew the paused snapshot', async () => FRAME.test(out.split('\n')[0]));

      // Resume from the console: RUNNING through the REST API, and the snapshot goes on;
      // held once more further on (through the API), so the watch draws a second point
      await page.getByRole('button', { name: 'Resume' }).click();
      await waitFor('the connector runs again', async () => {
        const s = await env.rest.status('sp-src');
        return s.connector.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING';
      });
      await poll('the snapshot goes on', async () => (rowsDone((await env.rest.status('sp-src')).tasks[0]?.trace) ?? 0) > held, 30_000, 50);
      expect((await env.rest.call('PUT', '/connectors/sp-src/pause')).status).toBe(202);
      const held2 = await pausedAt();
      expect(held2).toBeLessThan(ROWS);
      await waitFor('the watch drew the second hold', async () => out.split('\n').some((l) => Number(FRAME.exec(l)?.[2]) === held2));
      expect((await env.rest.call('PUT', '/connectors/sp-src/resume')).status).toBe(202);
      const code = await exited;
      clearTimeout(killer);
      expect(err).toBe('');
      expect(code).toBe(0);
      const lines = out.split('\n').filter((l) => l !== '');
      const frames = lines.filter((l) => l.includes('['));
      for (const f of frames) expect(f).toMatch(FRAME);
      const done = frames.map((f) => Number(FRAME.exec(f)?.[2]));
      expect(new Set(done).size).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < done.length; i++) expect(done[i]).toBeGreaterThanOrEqual(done[i - 1]);
      for (const f of frames) expect(Number(FRAME.exec(f)?.[3])).toBe(ROWS);
      // the last frame: the task past its snapshot (nothing in progress any more)
      expect(lines[lines.length - 1]).toMatch(/^sp-src task 0 RUNNING: /);
      expect(rowsDone((await env.rest.status('sp-src')).tasks[0]?.trace)).toBeNull();

      // the page's offsets are the REST API's (the snapshot's end, then the stream's)
      const offsets = page.getByTestId('offset-table');
      await waitFor('the page shows the offsets the REST API has', async () => {
        const rest = (await env.rest.get('/connectors/sp-src/offsets')).body as { offsets: Array<{ partition: unknown; offset: unknown }> };
        const cells = await offsets.locator('tbody td').allTextContents();
        return rest.offsets.length > 0 && cells.join('\n') === rest.offsets.map((o) => `${JSON.stringify(o.partition)}\n${JSON.stringify(o.offset)}`).join('\n');
      }, 30_000);
      console.log(`snapshot-progress: held at ${held} and ${held2} rows; ${frames.length} frames, rows done ${done.join(' → ')}; ${Date.now() - started} ms`);
    } finally {
      await browser.close();
    }
  });
});
