/**
 * A positive integer from the environment variable `name`, `fallback` when unset or blank;
 * throws naming the variable otherwise. `allowZero` also accepts 0 (a phase turned off).
 */
export function envInt(name: string, fallback: number, { allowZero = false } = {}): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && !allowZero)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got "${raw}"`);
  return n;
}
