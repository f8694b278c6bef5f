/**
 * A fuzz target that only fuzz-run.ts's worker may run (decoders-fuzz.it.spec.ts): byte
 * 1 = 0x42 loops forever, byte 1 = 0x43 grows the heap without bound. The watchdog and
 * the worker's heap cap must report each with the input that caused it.
 */
export function fuzz(data: Buffer): void {
  if (data[1] === 0x42) for (;;);
  if (data[1] === 0x43) {
    const hog: number[][] = [];
    for (;;) hog.push(new Array<number>(100_000).fill(data[2] ?? 0));
  }
}
