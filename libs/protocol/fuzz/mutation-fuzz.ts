import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeRequest } from '../src';
import { fuzz, MODE_BATCHES, MODE_BATCHES_CRC, MODE_REQUEST } from './decoders.fuzz';

/**
 * A time-boxed mutation fuzzer over decoders.fuzz.ts, seeded with the request frames
 * real clients sent (libs/protocol/src/__fixtures__: kcat/librdkafka 2.0.2 and kafkajs
 * 2.2.4) and the record batches inside their Produce frames. Not coverage-guided: it is
 * the stand-in that runs everywhere (`npm test`), while decoders.fuzz.ts is also a
 * Jazzer.js target for coverage-guided runs where Jazzer's native fuzzer loads.
 *
 * Mutations (1-4 per input, seeded PRNG so a finding replays): flip a bit, set a byte to
 * a boundary value (0, 0x7f, 0x80, 0xff), overwrite an int16/int32 with a boundary value
 * (lengths and counts), truncate, duplicate or delete a slice, splice two seeds.
 */
export interface FuzzFinding {
  input: string;
  error: string;
}

export interface FuzzRun {
  executions: number;
  findings: FuzzFinding[];
}

const FIXTURES = path.join('libs', 'protocol', 'src', '__fixtures__');

/** Seeds from the captured frames under `repoRoot`: each request as mode 0, each Produce's records as modes 1 and 2. */
export function captureSeeds(repoRoot: string): Buffer[] {
  const dir = path.join(repoRoot, FIXTURES);
  const seeds: Buffer[] = [];
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.hex')).sort()) {
    const frame = Buffer.from(fs.readFileSync(path.join(dir, name), 'utf8').trim(), 'hex');
    seeds.push(Buffer.concat([Buffer.from([MODE_REQUEST]), frame]));
    const decoded = decodeRequest(frame);
    if (decoded.apiKey !== 0) continue;
    const body = decoded.body as { topicData: { partitionData: { records: Buffer | null }[] }[] };
    for (const t of body.topicData) {
      for (const p of t.partitionData) {
        if (!p.records) continue;
        seeds.push(Buffer.concat([Buffer.from([MODE_BATCHES]), p.records]));
        seeds.push(Buffer.concat([Buffer.from([MODE_BATCHES_CRC]), p.records]));
      }
    }
  }
  return seeds;
}

/** xorshift32: small, fast and reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const BOUNDARY32 = [0, 1, -1, 0x7fffffff, -0x80000000, 0x10000, 61, 12];
const BOUNDARY8 = [0, 0x7f, 0x80, 0xff];

function mutate(seeds: readonly Buffer[], rnd: () => number): Buffer {
  let buf = Buffer.from(seeds[rnd() % seeds.length]);
  const n = 1 + (rnd() % 4);
  for (let i = 0; i < n; i++) {
    // Keep byte 0 (the decoder choice) most of the time so every mode gets its share.
    const at = buf.length > 1 ? 1 + (rnd() % (buf.length - 1)) : 0;
    switch (rnd() % 7) {
      case 0:
        if (buf.length > 0) buf[at] ^= 1 << (rnd() % 8);
        break;
      case 1:
        if (buf.length > 0) buf[at] = BOUNDARY8[rnd() % BOUNDARY8.length];
        break;
      case 2:
        if (at + 4 <= buf.length) buf.writeInt32BE(BOUNDARY32[rnd() % BOUNDARY32.length], at);
        break;
      case 3:
        if (at + 2 <= buf.length) buf.writeInt16BE([0, -1, 0x7fff, 1][rnd() % 4], at);
        break;
      case 4:
        buf = buf.subarray(0, at);
        break;
      case 5: {
        const len = rnd() % 32;
        buf = rnd() % 2 === 0 ? Buffer.concat([buf.subarray(0, at), buf.subarray(at, at + len), buf.subarray(at)]) : Buffer.concat([buf.subarray(0, at), buf.subarray(at + len)]);
        break;
      }
      default: {
        const other = seeds[rnd() % seeds.length];
        buf = Buffer.concat([buf.subarray(0, at), other.subarray(Math.min(other.length, at))]);
      }
    }
  }
  return buf;
}

/** Runs mutated inputs through the target for `timeMs` (and at most `maxExecutions`). */
export function runMutationFuzz(opts: { seeds: readonly Buffer[]; timeMs: number; seed: number; maxExecutions?: number }): FuzzRun {
  const rnd = prng(opts.seed);
  const findings: FuzzFinding[] = [];
  const seen = new Set<string>();
  const deadline = Date.now() + opts.timeMs;
  const max = opts.maxExecutions ?? Number.MAX_SAFE_INTEGER;
  let executions = 0;
  for (const s of opts.seeds) {
    fuzz(s);
    executions++;
  }
  while (executions < max && (executions & 255 || Date.now() < deadline)) {
    const input = mutate(opts.seeds, rnd);
    executions++;
    try {
      fuzz(input);
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      const kind = error.slice(0, 80);
      if (!seen.has(kind) && findings.length < 20) findings.push({ input: input.toString('hex'), error });
      seen.add(kind);
    }
  }
  return { executions, findings };
}
