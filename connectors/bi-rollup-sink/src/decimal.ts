/**
 * Exact decimal numbers for sums and extremes: an unscaled bigint and a scale (digits
 * after the point), so that adding then retracting the same values gives back exactly
 * what was there (floats would drift). Values come from Kafka Connect's Decimal logical
 * type (a decimal string), from numbers (their shortest round-trip text) and bigints.
 *
 * Contract: pure; `parseDecimal` answers null for text that is not a finite number.
 */
export interface Decimal {
  readonly unscaled: bigint;
  readonly scale: number;
}

export const ZERO: Decimal = { unscaled: 0n, scale: 0 };

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function parseDecimal(value: unknown): Decimal | null {
  if (typeof value === 'bigint') return { unscaled: value, scale: 0 };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return { unscaled: BigInt(value), scale: 0 };
    return parseDecimal(String(value));
  }
  if (typeof value !== 'string') return null;
  const m = DECIMAL_TEXT.exec(value.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const fraction = m[3] ?? '';
  let unscaled = BigInt(`${m[2] || '0'}${fraction}`);
  let scale = fraction.length - Number(m[4] ?? '0');
  if (scale < 0) {
    unscaled *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { unscaled: m[1] === '-' ? -unscaled : unscaled, scale };
}

function rescale(d: Decimal, scale: number): bigint {
  return d.scale === scale ? d.unscaled : d.unscaled * 10n ** BigInt(scale - d.scale);
}

export function addDecimal(a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale);
  return { unscaled: rescale(a, scale) + rescale(b, scale), scale };
}

export function negateDecimal(a: Decimal): Decimal {
  return { unscaled: -a.unscaled, scale: a.scale };
}

/** a times a small integer (a multiplicity). */
export function timesDecimal(a: Decimal, k: number): Decimal {
  return { unscaled: a.unscaled * BigInt(k), scale: a.scale };
}

export function compareDecimal(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = rescale(a, scale);
  const y = rescale(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain decimal text without exponent and without trailing fractional zeros: "-12.34", "0", "5". */
export function decimalText(d: Decimal): string {
  const negative = d.unscaled < 0n;
  let digits = (negative ? -d.unscaled : d.unscaled).toString();
  if (d.scale > 0) {
    digits = digits.padStart(d.scale + 1, '0');
    let int = digits.slice(0, digits.length - d.scale);
    let frac = digits.slice(digits.length - d.scale).replace(/0+$/, '');
    if (int === '') int = '0';
    digits = frac === '' ? int : `${int}.${frac}`;
    frac = '';
  }
  return negative && /[1-9]/.test(digits) ? `-${digits}` : digits;
}
