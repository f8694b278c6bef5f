import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_APIS, decodeRequest, encodeRequest, encodeResponse } from '../src';
import { MODE_BATCHES, MODE_BATCHES_CRC, MODE_REQUEST, MODE_RESPONSE } from './decoders.fuzz';

/**
 * Seeds and mutations for the decoder fuzzer (coverage-fuzz.ts).
 *
 * Seeds: the request frames real clients sent, hex files (frame without its size prefix)
 * in libs/protocol/src/__fixtures__ (kcat/librdkafka 2.0.2, kafkajs 2.2.4) and libs/protocol/fuzz/seeds (kcat, python confluent_kafka and kafkajs
 * against a running broker, one frame per client, API and version; see
 * bench/capture-fuzz-seeds.ts), each as a mode-0 input, plus the record batches inside
 * their Produce frames as mode-1 and mode-2 inputs (decoders.fuzz.ts). Then, so that every
 * API key and version is reached whether or not a client sent it, `encodedSeeds`: for
 * each API and each version the codec defines, a request and a response with every field
 * at its default (empty arrays, zero numbers), encoded by the codec itself.
 *
 * Mutations (1-4 per input, from a seeded PRNG so a run replays): flip a bit, set a byte
 * to a boundary value (0, 0x7f, 0x80, 0xff) or a random one, overwrite an int16/int32
 * with a boundary value (lengths and counts), truncate, duplicate or delete a slice,
 * splice two inputs; one input in 16 also goes to another decoder (byte 0).
 */
export interface FuzzFinding {
  input: string;
  error: string;
}

const SEED_DIRS = [path.join('libs', 'protocol', 'src', '__fixtures__'), path.join('libs', 'protocol', 'fuzz', 'seeds')];

/** Seeds from the captured frames under `repoRoot`: each request as mode 0, each Produce's records as modes 1 and 2. */
export function captureSeeds(repoRoot: string): Buffer[] {
  const seeds: Buffer[] = [];
  const files = SEED_DIRS.flatMap((d) => {
    const dir = path.join(repoRoot, d);
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.hex')).sort().map((n) => path.join(dir, n)) : [];
  });
  for (const file of files) {
    const frame = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    seeds.push(Buffer.concat([Buffer.from([MODE_REQUEST]), frame]));
    if (frame.length < 2 || frame.readInt16BE(0) !== 0) continue;
    const decoded = decodeRequest(frame);
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

/**
 * One mode-0 request and one mode-3 response per API and version, all fields at their
 * defaults (see the header). Mode 3's bytes 1-2 select the API key and version as
 * decoders.fuzz.ts reads them (key % 70, version % 16), so versions >= 16 are left out.
 */
export function encodedSeeds(): Buffer[] {
  const seeds: Buffer[] = [];
  for (const api of ALL_APIS) {
    for (let v = api.validVersions[0]; v <= api.validVersions[1]; v++) {
      const request = encodeRequest(api.apiKey as number, v, 1, 'fuzz-seed', {} as never);
      seeds.push(Buffer.concat([Buffer.from([MODE_REQUEST]), request.subarray(4)]));
      if (v >= 16) continue;
      const response = encodeResponse(api.apiKey as number, v, 1, {} as never);
      seeds.push(Buffer.concat([Buffer.from([MODE_RESPONSE, api.apiKey, v]), response.subarray(4)]));
    }
  }
  return seeds;
}

/** xorshift32: small, fast and reproducible. */
export function prng(seed: number): () => number {
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

/** A mutated copy of one of `inputs` (see the header). */
export function mutate(inputs: readonly Buffer[], rnd: () => number): Buffer {
  const seeds = inputs;
  let buf = Buffer.from(seeds[rnd() % seeds.length]);
  const n = 1 + (rnd() % 4);
  for (let i = 0; i < n; i++) {
    // Keep byte 0 (the decoder choice) most of the time so every mode gets its share.
    const at = buf.length > 1 ? 1 + (rnd() % (buf.length - 1)) : 0;
    switch (rnd() % 8) {
      case 0:
        if (buf.length > 0) buf[at] ^= 1 << (rnd() % 8);
        break;
      case 7:
        if (buf.length > 0) buf[at] = rnd() & 0xff;
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
  // Now and then hand the bytes to another decoder (byte 0), e.g. request frames to decodeResponse.
  if (buf.length > 0 && rnd() % 16 === 0) buf[0] = rnd() % 4;
  return buf;
}
