/**
 * mulberry32: a small seeded PRNG in [0, 1), so a fault schedule drawn from it can be
 * replayed from the seed a test prints.
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed in env variable `name`, else one from the clock; logged with how to replay it. */
export function seedFrom(name: string, what: string): number {
  const seed = Number(process.env[name] ?? Date.now() % 2 ** 31);
  console.log(`${what}: seed ${seed} (${name}=${seed} replays it)`);
  return seed;
}
