/**
 * A subset of Java's SimpleDateFormat, formatting in UTC, for TimestampRouter.
 *
 * Supported letters: `y` (yyyy four digits, yy two), `M` (M/MM numeric, MMM short and
 * MMMM full English month names), `d`, `H` (0-23), `h` (1-12), `k` (1-24), `K` (0-11),
 * `m`, `s`, `S` (milliseconds, zero-padded to the count), `a` (AM/PM), `E` (EEE short,
 * EEEE full English day names), `D` (day of year), `Z` (+0000) and `X` (Z). Text in
 * single quotes is literal (`''` is a quote); other non-letters are literal. Any other
 * letter is rejected when the pattern is compiled, as Java does ("Illegal pattern
 * character").
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SUPPORTED = 'yMdHhkKmsSaEDZX';

type Token = { literal: string } | { letter: string; count: number };

export class SimpleDateFormat {
  private readonly tokens: readonly Token[];

  constructor(readonly pattern: string) {
    this.tokens = tokenize(pattern);
  }

  format(epochMillis: number): string {
    const d = new Date(epochMillis);
    return this.tokens.map((t) => ('literal' in t ? t.literal : field(d, t.letter, t.count))).join('');
  }
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        tokens.push({ literal: "'" });
        i += 2;
        continue;
      }
      let text = '';
      i++;
      while (i < pattern.length) {
        if (pattern[i] === "'") {
          if (pattern[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          break;
        }
        text += pattern[i++];
      }
      if (i >= pattern.length) throw new Error('Unterminated quote');
      i++;
      tokens.push({ literal: text });
    } else if (/[A-Za-z]/.test(c)) {
      if (!SUPPORTED.includes(c)) throw new Error(`Illegal pattern character '${c}'`);
      let count = 1;
      while (pattern[i + count] === c) count++;
      tokens.push({ letter: c, count });
      i += count;
    } else {
      tokens.push({ literal: c });
      i++;
    }
  }
  return tokens;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function field(d: Date, letter: string, count: number): string {
  switch (letter) {
    case 'y': {
      const y = d.getUTCFullYear();
      return count === 2 ? pad(y % 100, 2) : pad(y, count);
    }
    case 'M': {
      const m = d.getUTCMonth();
      if (count >= 4) return MONTHS[m];
      if (count === 3) return MONTHS[m].slice(0, 3);
      return pad(m + 1, count);
    }
    case 'd':
      return pad(d.getUTCDate(), count);
    case 'H':
      return pad(d.getUTCHours(), count);
    case 'h':
      return pad(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, count);
    case 'k':
      return pad(d.getUTCHours() === 0 ? 24 : d.getUTCHours(), count);
    case 'K':
      return pad(d.getUTCHours() % 12, count);
    case 'm':
      return pad(d.getUTCMinutes(), count);
    case 's':
      return pad(d.getUTCSeconds(), count);
    case 'S':
      return pad(d.getUTCMilliseconds(), count);
    case 'a':
      return d.getUTCHours() < 12 ? 'AM' : 'PM';
    case 'E':
      return count >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()].slice(0, 3);
    case 'D': {
      const start = Date.UTC(d.getUTCFullYear(), 0, 1);
      return pad(Math.floor((d.getTime() - start) / 86_400_000) + 1, count);
    }
    case 'Z':
      return '+0000';
    case 'X':
      return 'Z';
    default:
      throw new Error(`Illegal pattern character '${letter}'`);
  }
}
