/**
 * Parses a Java properties file (java.util.Properties#load): `key=value`, `key:value` or
 * `key value`; `#` and `!` comment lines; a trailing backslash continues the line
 * (leading white space of the next line dropped); escapes `\t \n \r \f \uXXXX` and `\`
 * before any other character (which stands for itself). Later keys win.
 */
export function parseJavaProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    const sep = separatorIndex(line);
    const rawKey = sep < 0 ? line : line.slice(0, sep);
    let rest = sep < 0 ? '' : line.slice(sep);
    rest = rest.replace(/^[ \t\f]*/, '');
    if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
    out.set(unescape(rawKey), unescape(rest));
  }
  return out;
}

/** An odd number of trailing backslashes. */
function endsWithContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) n++;
  return n % 2 === 1;
}

/** Index of the first unescaped `=`, `:` or white space, or -1. */
function separatorIndex(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') return i;
  }
  return -1;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  });
}
