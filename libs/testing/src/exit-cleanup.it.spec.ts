import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { transformFileSync } from '@swc/core';
import { isProcessAlive } from './process-alive';
import { runCommand } from './run-command';

jest.setTimeout(60_000);

/*
 * Runs this library, compiled to a temp dir, in a separate node process that starts a
 * redis-server and then ends without stopping it, and checks that the server and its
 * temporary directory are gone afterwards.
 */
describe('cleanup when the test process ends', () => {
  let libDir: string;

  beforeAll(() => {
    libDir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-libcopy-'));
    for (const file of fs.readdirSync(__dirname)) {
      if (!file.endsWith('.ts') || file.endsWith('.spec.ts')) continue;
      const { code } = transformFileSync(path.join(__dirname, file), {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      });
      fs.writeFileSync(path.join(libDir, file.replace(/\.ts$/, '.js')), code);
    }
  });

  afterAll(() => fs.rmSync(libDir, { recursive: true, force: true }));

  const scenario = (ending: string): string => `
    const { startRedis } = require(${JSON.stringify(path.join(libDir, 'ephemeral-redis.js'))});
    startRedis().then((r) => {
      console.log(JSON.stringify({ pid: r.pid, dir: r.dataDir }));
      ${ending}
    });`;

  it.each([
    ['a normal exit', 'process.exit(0);', 0, null],
    ['SIGTERM (how jest force-exits a stuck worker)', "process.kill(process.pid, 'SIGTERM'); setInterval(() => {}, 1000);", null, 'SIGTERM'],
  ])('kills servers and removes their directories on %s', async (_name, ending, code, signal) => {
    const result = await runCommand(process.execPath, ['-e', scenario(ending)], {
      cwd: path.resolve(__dirname, '../../..'), // so that node_modules resolve
      env: { NODE_PATH: path.resolve(__dirname, '../../../node_modules') },
      timeoutMs: 20_000,
    });
    expect({ code: result.code, signal: result.signal, stderr: result.stderr }).toEqual({ code, signal, stderr: '' });
    const { pid, dir } = JSON.parse(result.stdout.toString('utf8')) as { pid: number; dir: string };
    // SIGKILL delivery is asynchronous: allow the kernel a moment to reap
    for (let i = 0; i < 50 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isProcessAlive(pid)).toBe(false);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
