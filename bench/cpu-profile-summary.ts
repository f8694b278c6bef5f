import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Summarises V8 CPU profiles (.cpuprofile, as cpu-profile-hook.ts or --cpu-prof write
 * them): per file, the sampled time, and the functions and the packages/files with the
 * most self time, and the functions with the most total time (self time plus that of
 * everything they called: where a whole stage's time goes, e.g. a decoder and what it
 * allocates). Idle and GC are V8's own pseudo-frames "(idle)" and "(garbage
 * collector)". Under CPU contention a profile's sampled time exceeds the thread's CPU
 * time (a descheduled thread still gets samples): compare shares, not milliseconds.
 *
 * Run:  node dist/bench/cpu-profile-summary.js <file-or-dir>... [--top=N]
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly functions: readonly [string, number][];
  readonly packages: readonly [string, number][];
  /** Total (inclusive) time per function: each sample counts once for every distinct function on its stack. */
  readonly inclusive: readonly [string, number][];
}

function functionKey(frame: CallFrame): string {
  const where = frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
  return `${frame.functionName || '(anonymous)'}${where ? ` ${where}:${frame.lineNumber + 1}` : ''}`;
}

/** Where a frame's code lives, shortened: `node_modules/<pkg>`, `dist/<path>`, or the pseudo-frame's name. */
function place(frame: CallFrame): string {
  const url = frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
  if (url.startsWith('node_modules/')) return url.split('/').slice(0, 2).join('/');
  return url === '' ? frame.functionName : url;
}

export function summarizeProfile(file: string, top = 20): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  });
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const fn = functionKey(frame);
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    packages.set(place(frame), (packages.get(place(frame)) ?? 0) + us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f || f.functionName === '(root)') continue;
      const key = functionKey(f);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + us);
    }
  }
  const sorted = (m: Map<string, number>): [string, number][] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => [k, us / 1000]);
  return { file, totalMs: total / 1000, functions: sorted(functions), packages: sorted(packages), inclusive: sorted(inclusive) };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const row = ([name, ms]: [string, number]): string => `| ${name} | ${ms.toFixed(0)} | ${((ms / s.totalMs) * 100).toFixed(1)}% |`;
  return [
    `### ${path.basename(s.file)} (${(s.totalMs / 1000).toFixed(1)} s sampled)`,
    '',
    '| function (self time) | ms | share |',
    '| --- | ---: | ---: |',
    ...s.functions.map(row),
    '',
    '| package / file (self time) | ms | share |',
    '| --- | ---: | ---: |',
    ...s.packages.map(row),
    '',
    '| function (total time: self + callees) | ms | share |',
    '| --- | ---: | ---: |',
    ...s.inclusive.map(row),
    '',
  ].join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 20);
  const files = args
    .filter((a) => !a.startsWith('--'))
    .flatMap((a) => (fs.statSync(a).isDirectory() ? fs.readdirSync(a).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(a, f)) : [a]));
  if (files.length === 0) {
    process.stderr.write('usage: node dist/bench/cpu-profile-summary.js <file-or-dir>... [--top=N]\n');
    process.exitCode = 2;
  }
  for (const f of files) process.stdout.write(`${formatProfileSummary(summarizeProfile(f, top))}\n`);
}
