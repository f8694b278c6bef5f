import { createHash } from 'node:crypto';
import type { ConnectSchema } from '@millrace/connect-sdk';
import { addDecimal, compareDecimal, decimalText, negateDecimal, parseDecimal, ZERO, type Decimal } from './decimal';
import { isStateMeasure, type RollupDefinition } from './rollup-definition';
import { columnKind, epochMillis, fieldSchema, groupValue, type ColumnKind, type Row } from './row-values';

/**
 * The delta algebra of one rollup over a batch of changes: every change adds
 * `-f(before) + f(after)` to the groups of its two images, and the batch's changes are
 * summed per group in memory before anything is written.
 *
 * Per group: `rows` (rows in the group), and per measure:
 *   count            rows                         (invertible: a counter)
 *   count(col)       non-null values              (counter)
 *   sum(col)         non-null values n, exact sum (counters; SQL's NULL when n = 0)
 *   avg(col)         n and sum; avg = sum / n     (counters)
 *   min/max(col),    value -> multiplicity        (not invertible: the database keeps the
 *   count_distinct                                 multiset per group and recomputes)
 * A value whose multiplicities cancel within the batch leaves no trace. `retracted` says
 * a min/max multiset lost a value (net negative), so the extreme must be recomputed from
 * the state table; otherwise the new extreme is the old one merged with `best`.
 *
 * Contract: `add` throws RollupDataError (naming the rollup, measure and value) for a
 * row it cannot fold (a non-numeric value of sum/avg/min/max, a time bucket of a
 * non-time value); the delta is unchanged then.
 */
export class RollupDataError extends Error {
  override readonly name = 'RollupDataError';
}

export type GroupValue = string | number | boolean | null;

export interface MultisetEntry {
  /** Numeric value (min/max), else null. */
  readonly num: Decimal | null;
  mult: number;
}

export interface MeasureDelta {
  /** count, count(col): the counter; sum/avg: non-null values. */
  n: number;
  /** sum/avg. */
  sum: Decimal;
  /** min/max/count_distinct: state key (vk) -> entry. */
  readonly multiset: Map<string, MultisetEntry> | null;
}

export interface GroupDelta {
  /** The `_group` key of the rollup table. */
  readonly key: string;
  readonly values: readonly GroupValue[];
  rows: number;
  readonly measures: MeasureDelta[];
}

/** Longest `_group` / state key text stored as is; longer ones are stored as a hash. */
export const MAX_KEY_TEXT = 120;

export function storedKey(text: string): string {
  return text.length <= MAX_KEY_TEXT ? text : `md5:${createHash('md5').update(text).digest('hex')}`;
}

export class RollupDelta {
  readonly groups = new Map<string, GroupDelta>();
  /** SQL type family of each group column, from the first row that had one (for CREATE TABLE). */
  readonly columnKinds: (ColumnKind | null)[];

  constructor(readonly rollup: RollupDefinition) {
    this.columnKinds = rollup.groups.map((g) => (g.bucket === 'hour' ? 'timestamp' : g.bucket === 'day' ? 'date' : g.bucket === 'shift' ? 'text' : null));
  }

  /** Folds one row image in with sign +1 (after) or -1 (before). Rows failing the filter count nowhere. */
  add(row: Row, schema: ConnectSchema | null, sign: 1 | -1): void {
    const r = this.rollup;
    if (r.filter && !r.filter.test(row)) return;
    const values: GroupValue[] = [];
    for (let i = 0; i < r.groups.length; i++) {
      const g = r.groups[i];
      const raw = row[g.column];
      const s = fieldSchema(schema, g.column);
      if (g.bucket === null) {
        values.push(groupValue(raw, s));
        if (this.columnKinds[i] === null && raw !== null && raw !== undefined) this.columnKinds[i] = columnKind(s, raw);
        continue;
      }
      const ms = epochMillis(raw, s);
      if (ms === null) values.push(null);
      else if (Number.isNaN(ms)) throw new RollupDataError(`rollup ${r.name}: ${g.bucket}(${g.column}) needs a time, got ${JSON.stringify(String(raw))}`);
      else values.push(g.bucket === 'hour' ? r.buckets.hour(ms) : g.bucket === 'day' ? r.buckets.day(ms) : r.buckets.shift(ms));
    }
    // measure values first, so that a bad value leaves the delta unchanged
    const inputs = r.measures.map((m) => {
      if (m.column === null) return null;
      const raw = row[m.column];
      if (raw === null || raw === undefined) return undefined;
      if (m.kind === 'count_col') return raw;
      if (m.kind === 'count_distinct') {
        const d = typeof raw === 'number' || typeof raw === 'bigint' ? parseDecimal(raw) : null;
        return d !== null ? decimalText(d) : String(groupValue(raw, fieldSchema(schema, m.column)));
      }
      const d = parseDecimal(raw);
      if (d === null) throw new RollupDataError(`rollup ${r.name}: ${m.kind}(${m.column}) needs numbers, got ${JSON.stringify(String(raw))}`);
      return d;
    });
    const group = this.group(values);
    group.rows += sign;
    for (let i = 0; i < r.measures.length; i++) {
      const m = r.measures[i];
      const input = inputs[i];
      const delta = group.measures[i];
      if (m.kind === 'count') {
        delta.n += sign;
        continue;
      }
      if (input === undefined) continue;
      switch (m.kind) {
        case 'count_col':
          delta.n += sign;
          break;
        case 'sum':
        case 'avg':
          delta.n += sign;
          delta.sum = addDecimal(delta.sum, sign === 1 ? (input as Decimal) : negateDecimal(input as Decimal));
          break;
        case 'count_distinct':
          bump(delta.multiset!, storedKey(input as string), null, sign);
          break;
        default: {
          const d = input as Decimal;
          bump(delta.multiset!, storedKey(decimalText(d)), d, sign);
        }
      }
    }
  }

  private group(values: GroupValue[]): GroupDelta {
    const text = JSON.stringify(values);
    let g = this.groups.get(text);
    if (!g) {
      g = {
        key: storedKey(text),
        values,
        rows: 0,
        measures: this.rollup.measures.map((m) => ({ n: 0, sum: ZERO, multiset: isStateMeasure(m.kind) ? new Map<string, MultisetEntry>() : null })),
      };
      this.groups.set(text, g);
    }
    return g;
  }
}

function bump(multiset: Map<string, MultisetEntry>, key: string, num: Decimal | null, sign: number): void {
  const e = multiset.get(key);
  if (e) {
    e.mult += sign;
    if (e.mult === 0) multiset.delete(key);
  } else {
    multiset.set(key, { num, mult: sign });
  }
}

/** Whether a min/max multiset lost a value (the extreme must be recomputed from the state). */
export function retracted(delta: MeasureDelta): boolean {
  for (const e of delta.multiset?.values() ?? []) if (e.mult < 0) return true;
  return false;
}

/** The smallest (min) or largest (max) value added by the batch; null when none was. */
export function best(delta: MeasureDelta, kind: 'min' | 'max'): Decimal | null {
  let out: Decimal | null = null;
  for (const e of delta.multiset?.values() ?? []) {
    if (e.mult <= 0 || e.num === null) continue;
    if (out === null || (kind === 'min' ? compareDecimal(e.num, out) < 0 : compareDecimal(e.num, out) > 0)) out = e.num;
  }
  return out;
}

/** Whether the group's counters or multisets changed at all (a batch may cancel out). */
export function isNoop(g: GroupDelta): boolean {
  return g.rows === 0 && g.measures.every((m) => m.n === 0 && m.sum.unscaled === 0n && (m.multiset === null || m.multiset.size === 0));
}
