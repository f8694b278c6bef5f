/**
 * A fuzz target with a planted bug, to prove the coverage guidance
 * (coverage-fuzz.spec.ts): bytes 1..4 = 0x80 0xff 0x7f 0x80, each checked in its own
 * branch, throw "planted bug reached". Blind mutation almost never gets all four right;
 * keeping each partial match in the corpus gets there in a few thousand inputs.
 */
export function fuzz(data: Buffer): void {
  if (data.length < 5) return;
  if (data[1] !== 0x80) return;
  if (data[2] !== 0xff) return;
  if (data[3] !== 0x7f) return;
  if (data[4] !== 0x80) return;
  throw new Error('planted bug reached');
}
