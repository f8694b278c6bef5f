/** Deterministic test data: a seeded PRNG and record generators. */

/** mulberry32: small, fast, seedable 32-bit PRNG. */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** Seed from MILLRACE_TEST_SEED when set (to reproduce a failure), else random; printed. */
export function testSeed(label: string): number {
  const fromEnv = process.env.MILLRACE_TEST_SEED;
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) >>> 0 : Math.floor(Math.random() * 2 ** 32);
  process.stdout.write(`[${label}] seed=${seed} (reproduce with MILLRACE_TEST_SEED=${seed})\n`);
  return seed;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,;!?';

/** Deterministic printable text (no ':' and no newline) of `len` chars for index `i`. */
export function textFor(i: number, len: number, salt = 0): string {
  const rng = new Prng((i * 2654435761) ^ salt);
  let s = '';
  for (let k = 0; k < len; k++) s += ALPHABET[rng.int(ALPHABET.length)];
  return s;
}

/** A unique, sortable tag for topic/group names within one test file run. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}
