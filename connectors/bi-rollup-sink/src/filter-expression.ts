import { compareDecimal, parseDecimal } from './decimal';
import type { Row } from './row-values';

/**
 * The `filter` of a rollup: a small predicate language over the columns of a row image,
 * evaluated in the sink (never sent to the database, so nothing in it can inject SQL).
 *
 *   expr    := or
 *   or      := and (OR and)*
 *   and     := not (AND not)*
 *   not     := NOT not | test
 *   test    := value [ (= | != | <> | < | <= | > | >=) value
 *                    | IS [NOT] NULL | [NOT] IN ( literal, ... ) ]
 *   value   := column | 'text' | number | TRUE | FALSE | NULL | ( expr )
 *   column  := name ([A-Za-z_][A-Za-z0-9_]*) or "any name"
 *
 * Keywords are case-insensitive. SQL's three-valued logic: a comparison with NULL is
 * unknown, NOT unknown is unknown, and a row passes only when the filter is true.
 * Numbers compare as exact decimals when both sides are numeric; everything else as
 * text. E.g. `status = 'shipped' AND qty > 0`, `quality IN ('good', 'rework') AND NOT scrap`.
 *
 * Contract: `parseFilter` throws FilterSyntaxError saying where and what; the compiled
 * predicate never throws.
 */
export class FilterSyntaxError extends Error {
  override readonly name = 'FilterSyntaxError';
}

type Tri = boolean | null;
type Eval = (row: Row) => unknown;

export interface Filter {
  readonly text: string;
  /** The columns it reads. */
  readonly columns: readonly string[];
  test(row: Row): boolean;
}

interface Token {
  readonly kind: 'name' | 'quoted' | 'string' | 'number' | 'op' | 'punct';
  readonly text: string;
  readonly at: number;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'TRUE', 'FALSE']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const at = i;
    if (/[A-Za-z_]/.test(c)) {
      while (i < text.length && /[A-Za-z0-9_]/.test(text[i])) i++;
      out.push({ kind: 'name', text: text.slice(at, i), at });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9.]/.test(text[i + 1] ?? '') && !startsValue(out)) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      i++;
      while (i < text.length && /[0-9.eE]/.test(text[i])) i++;
      out.push({ kind: 'number', text: text.slice(at, i), at });
    } else if (c === "'" || c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError(`unterminated ${c === "'" ? 'text' : 'quoted name'} starting at position ${at + 1}`);
        if (text[i] === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      out.push({ kind: c === "'" ? 'string' : 'quoted', text: value, at });
    } else if ('<>=!'.includes(c)) {
      const two = text.slice(i, i + 2);
      const op = ['<=', '>=', '<>', '!='].includes(two) ? two : c;
      if (op === '!') throw new FilterSyntaxError(`unexpected "!" at position ${at + 1} (use != or NOT)`);
      i += op.length;
      out.push({ kind: 'op', text: op, at });
    } else if ('(),'.includes(c)) {
      i++;
      out.push({ kind: 'punct', text: c, at });
    } else {
      throw new FilterSyntaxError(`unexpected "${c}" at position ${at + 1}`);
    }
  }
  return out;
}

/** Whether the previous token ends a value (then "-" would be an operator, which the language lacks). */
function startsValue(out: readonly Token[]): boolean {
  const last = out[out.length - 1];
  return last !== undefined && (last.kind === 'number' || last.kind === 'string' || last.kind === 'quoted' || (last.kind === 'name' && !KEYWORDS.has(last.text.toUpperCase())) || last.text === ')');
}

class Parser {
  private pos = 0;
  readonly columns = new Set<string>();

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  parse(): Eval {
    const e = this.or();
    const rest = this.tokens[this.pos];
    if (rest) throw new FilterSyntaxError(`unexpected "${rest.text}" at position ${rest.at + 1}`);
    return e;
  }

  private peekKeyword(word: string, ahead = 0): boolean {
    const t = this.tokens[this.pos + ahead];
    return t !== undefined && t.kind === 'name' && t.text.toUpperCase() === word;
  }

  private expectPunct(p: string): void {
    const t = this.tokens[this.pos];
    if (!t || t.text !== p || t.kind !== 'punct') throw new FilterSyntaxError(`expected "${p}" ${t ? `at position ${t.at + 1}` : 'at the end'} in: ${this.source}`);
    this.pos++;
  }

  private or(): Eval {
    const parts = [this.and()];
    while (this.peekKeyword('OR')) {
      this.pos++;
      parts.push(this.and());
    }
    if (parts.length === 1) return parts[0];
    return (row) => {
      let unknown = false;
      for (const p of parts) {
        const v = truth(p(row));
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    };
  }

  private and(): Eval {
    const parts = [this.not()];
    while (this.peekKeyword('AND')) {
      this.pos++;
      parts.push(this.not());
    }
    if (parts.length === 1) return parts[0];
    return (row) => {
      let unknown = false;
      for (const p of parts) {
        const v = truth(p(row));
        if (v === false) return false;
        if (v === null) unknown = true;
      }
      return unknown ? null : true;
    };
  }

  private not(): Eval {
    if (this.peekKeyword('NOT')) {
      this.pos++;
      const inner = this.not();
      return (row) => {
        const v = truth(inner(row));
        return v === null ? null : !v;
      };
    }
    return this.test();
  }

  private test(): Eval {
    const left = this.value();
    const t = this.tokens[this.pos];
    if (t?.kind === 'op') {
      this.pos++;
      const right = this.value();
      const op = t.text;
      return (row) => {
        const c = compare(left(row), right(row));
        if (c === null) return null;
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
          case '<>':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          default:
            return c >= 0;
        }
      };
    }
    if (this.peekKeyword('IS')) {
      this.pos++;
      const negated = this.peekKeyword('NOT');
      if (negated) this.pos++;
      if (!this.peekKeyword('NULL')) throw new FilterSyntaxError(`expected NULL after IS${negated ? ' NOT' : ''} in: ${this.source}`);
      this.pos++;
      return (row) => {
        const v = left(row);
        return (v === null || v === undefined) !== negated;
      };
    }
    const negatedIn = this.peekKeyword('NOT') && this.peekKeyword('IN', 1);
    if (negatedIn || this.peekKeyword('IN')) {
      this.pos += negatedIn ? 2 : 1;
      this.expectPunct('(');
      const items: unknown[] = [];
      for (;;) {
        const item = this.tokens[this.pos];
        if (!item || (item.kind !== 'string' && item.kind !== 'number' && !(item.kind === 'name' && ['TRUE', 'FALSE'].includes(item.text.toUpperCase())))) {
          throw new FilterSyntaxError(`IN takes a list of literals ('text', numbers, TRUE, FALSE) in: ${this.source}`);
        }
        items.push(this.literal(item));
        this.pos++;
        if (this.tokens[this.pos]?.text === ',') {
          this.pos++;
          continue;
        }
        break;
      }
      this.expectPunct(')');
      return (row) => {
        const v = left(row);
        if (v === null || v === undefined) return null;
        const found = items.some((item) => compare(v, item) === 0);
        return negatedIn ? !found : found;
      };
    }
    return left;
  }

  private value(): Eval {
    const t = this.tokens[this.pos];
    if (!t) throw new FilterSyntaxError(`the filter ends too early: ${this.source}`);
    if (t.kind === 'punct' && t.text === '(') {
      this.pos++;
      const e = this.or();
      this.expectPunct(')');
      return e;
    }
    this.pos++;
    if (t.kind === 'quoted' || (t.kind === 'name' && !KEYWORDS.has(t.text.toUpperCase()))) {
      const name = t.text;
      this.columns.add(name);
      return (row) => row[name];
    }
    if (t.kind === 'name' && !['TRUE', 'FALSE', 'NULL'].includes(t.text.toUpperCase())) throw new FilterSyntaxError(`unexpected ${t.text.toUpperCase()} at position ${t.at + 1}`);
    if (t.kind === 'op' || t.kind === 'punct') throw new FilterSyntaxError(`unexpected "${t.text}" at position ${t.at + 1}`);
    const v = this.literal(t);
    return () => v;
  }

  private literal(t: Token): unknown {
    if (t.kind === 'string') return t.text;
    if (t.kind === 'number') {
      if (parseDecimal(t.text) === null) throw new FilterSyntaxError(`"${t.text}" at position ${t.at + 1} is not a number`);
      return { number: t.text };
    }
    const word = t.text.toUpperCase();
    return word === 'TRUE' ? true : word === 'FALSE' ? false : null;
  }
}

function truth(v: unknown): Tri {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return Boolean(v);
}

/** Three-way comparison; null when either side is null or they do not compare. */
function compare(a: unknown, b: unknown): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const x = literalValue(a);
  const y = literalValue(b);
  if (typeof x === 'boolean' || typeof y === 'boolean') return typeof x === typeof y ? Number(x) - Number(y) : null;
  const isNumber = (v: unknown, literal: unknown): boolean => typeof v === 'number' || typeof v === 'bigint' || (typeof literal === 'object' && literal !== null && 'number' in literal);
  if (isNumber(x, a) || isNumber(y, b)) {
    const dx = parseDecimal(x);
    const dy = parseDecimal(y);
    if (dx !== null && dy !== null) return compareDecimal(dx, dy);
  }
  const sx = x instanceof Date ? x.toISOString() : String(x);
  const sy = y instanceof Date ? y.toISOString() : String(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

function literalValue(v: unknown): unknown {
  return typeof v === 'object' && v !== null && 'number' in v ? (v as { number: string }).number : v;
}

export function parseFilter(text: string): Filter {
  const parser = new Parser(tokenize(text), text);
  const e = parser.parse();
  return { text, columns: [...parser.columns], test: (row) => truth(e(row)) === true };
}
