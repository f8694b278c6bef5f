/**
 * Canonical text of a column value, so that the same value reads the same from Postgres
 * and from MySQL/MariaDB whatever column type each side chose for it.
 *
 * Values arrive as the server's text (Postgres with TimeZone=UTC; MySQL with
 * time_zone='+00:00', binary columns as hex). Each column's SQL type maps to a category
 * (`columnCategory`), and the category fixes the canonical form:
 *   int        decimal integer without sign noise         "007" -> "7"
 *   decimal    no leading zeros, no trailing fraction zeros "12.50" -> "12.5", "3.000" -> "3"
 *   float      JavaScript's shortest round-trip text        "1.10" -> "1.1"
 *   bool       "1" or "0" (t/true/1/y on the Postgres side, tinyint(1) on MySQL's)
 *   timestamp  UTC "YYYY-MM-DD HH:MM:SS.ffffff" (an offset is applied; none = UTC)
 *   date       "YYYY-MM-DD"
 *   time       "HH:MM:SS.ffffff"
 *   bytes      lower-case hex
 *   json       JSON with object keys sorted, no spaces
 *   text       as is
 * A value that does not parse in its category is kept as is (it then differs from the
 * other side's and shows as drift, which is what it is).
 */
export type ValueCategory = 'int' | 'decimal' | 'float' | 'bool' | 'timestamp' | 'date' | 'time' | 'bytes' | 'json' | 'text';

/** The category of a column from its information_schema DATA_TYPE (and MySQL's COLUMN_TYPE). */
export function columnCategory(dataType: string, columnType = ''): ValueCategory {
  const t = dataType.toLowerCase();
  if (columnType.toLowerCase().startsWith('tinyint(1)') || t === 'boolean' || t === 'bool') return 'bool';
  if (['smallint', 'integer', 'bigint', 'int', 'tinyint', 'mediumint', 'year'].includes(t)) return 'int';
  if (t === 'numeric' || t === 'decimal') return 'decimal';
  if (['real', 'double precision', 'float', 'double'].includes(t)) return 'float';
  if (t.startsWith('timestamp') || t === 'datetime') return 'timestamp';
  if (t === 'date') return 'date';
  if (t.startsWith('time')) return 'time';
  if (t === 'bytea' || t.endsWith('blob') || t === 'binary' || t === 'varbinary') return 'bytes';
  if (t === 'json' || t === 'jsonb') return 'json';
  return 'text';
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s*(Z|[+-]\d{2}(?::?\d{2})?))?$/;
const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

const micros = (fraction: string | undefined): string => (fraction ?? '').padEnd(6, '0').slice(0, 6);

function canonicalTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return text;
  const [, date, hh, mm, ss, fraction, zone] = m;
  const base = `${date} ${hh}:${mm}:${ss}.${micros(fraction)}`;
  if (zone === undefined || zone === 'Z' || /^[+-]00(:?00)?$/.test(zone)) return base;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  const utc = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), Number(hh), Number(mm) - offsetMinutes, Number(ss)));
  const iso = utc.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${micros(fraction)}`;
}

function canonicalDecimal(text: string): string {
  const m = /^([+-]?)0*(\d*)(?:\.(\d*?)0*)?$/.exec(text.trim());
  if (!m) return text;
  const int = m[2] === '' ? '0' : m[2];
  const frac = m[3] ?? '';
  const body = frac === '' ? int : `${int}.${frac}`;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** The canonical text of one value (null stays null). */
export function canonicalValue(category: ValueCategory, text: string | null): string | null {
  if (text === null) return null;
  switch (category) {
    case 'int':
      return /^[+-]?\d+$/.test(text.trim()) ? BigInt(text.trim()).toString() : text;
    case 'decimal':
      return canonicalDecimal(text);
    case 'float': {
      const n = Number(text);
      return Number.isNaN(n) && text.trim().toLowerCase() !== 'nan' ? text : String(n);
    }
    case 'bool':
      return ['t', 'true', '1', 'y', 'yes', 'on'].includes(text.trim().toLowerCase()) ? '1' : ['f', 'false', '0', 'n', 'no', 'off'].includes(text.trim().toLowerCase()) ? '0' : text;
    case 'timestamp':
      return canonicalTimestamp(text);
    case 'date':
      return text.slice(0, 10);
    case 'time': {
      const m = TIME.exec(text.trim());
      return m ? `${m[1]}:${m[2]}:${m[3]}.${micros(m[4])}` : text;
    }
    case 'bytes':
      return (text.startsWith('\\x') ? text.slice(2) : text).toLowerCase();
    case 'json':
      try {
        return JSON.stringify(sortedJson(JSON.parse(text)));
      } catch {
        return text;
      }
    default:
      return text;
  }
}

/**
 * The category both sides of a column are canonicalised in: their own when they agree; a
 * bool on one side and an int on the other compare as bool (0/1), a decimal and an int or
 * float as decimal, a timestamp and text as timestamp (a sink may store a zoned timestamp
 * as text); else text.
 */
export function sharedCategory(a: ValueCategory, b: ValueCategory): ValueCategory {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('bool') && pair.has('int')) return 'bool';
  if (pair.has('decimal') && (pair.has('int') || pair.has('float'))) return 'decimal';
  if (pair.has('timestamp') && pair.has('text')) return 'timestamp';
  if (pair.has('json') && pair.has('text')) return 'json';
  return 'text';
}
