/**
 * JSON text <-> a JSON tree that keeps every number exact:
 * - integers outside ±(2^53 - 1) parse to bigint (others to number);
 * - fractional numbers with more than 15 significant digits parse to {@link JsonRawNumber}
 *   (their text), so a Decimal or a float64 can be read without a lossy detour;
 * - stringify writes bigint and JsonRawNumber as their digits.
 * Parsing takes the native JSON.parse when the text has no run of 16+ digits/dots
 * (then no number can lose precision) and a small exact parser otherwise.
 */

export class JsonRawNumber {
  constructor(readonly text: string) {}
  toNumber(): number {
    return Number(this.text);
  }
}

export type JsonTree = null | boolean | number | bigint | string | JsonRawNumber | JsonTree[] | { [key: string]: JsonTree };

const RISKY_NUMBER = /[0-9.]{16,}/;

/** Parses JSON text; throws SyntaxError on invalid JSON. */
export function parseJsonText(text: string): JsonTree {
  if (!RISKY_NUMBER.test(text)) return JSON.parse(text) as JsonTree;
  return new ExactParser(text).parseDocument();
}

/** Writes a tree as compact JSON (non-finite numbers are refused). */
export function stringifyJsonTree(value: JsonTree): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`Cannot write ${value} as JSON`);
      return String(value);
    case 'bigint':
      return value.toString();
    default:
      break;
  }
  if (value instanceof JsonRawNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(stringifyJsonTree).join(',')}]`;
  const parts: string[] = [];
  for (const key of Object.keys(value)) parts.push(`${JSON.stringify(key)}:${stringifyJsonTree(value[key])}`);
  return `{${parts.join(',')}}`;
}

class ExactParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): JsonTree {
    const v = this.value();
    this.ws();
    if (this.pos !== this.text.length) this.fail('Unexpected data after the JSON value');
    return v;
  }

  private fail(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos}`);
  }

  private ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  private value(): JsonTree {
    this.ws();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? 'Unexpected end of JSON input' : `Unexpected token ${c}`);
  }

  private object(): JsonTree {
    this.pos++;
    const out: { [key: string]: JsonTree } = {};
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('Expected a string key');
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail("Expected ':'");
      this.pos++;
      const v = this.value();
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail("Expected ',' or '}'");
    }
  }

  private array(): JsonTree {
    this.pos++;
    const out: JsonTree[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail("Expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return JSON.parse(t.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail('Unterminated string');
  }

  private number(): JsonTree {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 1024));
    if (!m) return this.fail('Invalid number');
    this.pos += m[0].length;
    const literal = m[0];
    if (m[2] === undefined && m[3] === undefined) {
      const n = Number(literal);
      return Number.isSafeInteger(n) ? n : BigInt(literal);
    }
    const significant = (m[1] + (m[2] ?? '').slice(1)).replace(/^0+/, '').length;
    return significant > 15 ? new JsonRawNumber(literal) : Number(literal);
  }
}
