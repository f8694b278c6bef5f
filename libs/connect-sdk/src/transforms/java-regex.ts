import { errorMessage } from '@millrace/app-common';
/**
 * Java regular expressions as Kafka Connect transforms use them, on JavaScript's engine.
 *
 * - `compileJavaPattern` compiles a pattern for a whole-string match (Java's
 *   `Matcher.matches()`), accepting Java's leading inline flags `(?i)`, `(?s)`, `(?m)`
 *   (and combinations). Constructs JavaScript lacks (possessive quantifiers, `\A`, `\Z`)
 *   are rejected as invalid patterns.
 * - `javaReplacement` expands a Java replacement string (`Matcher.appendReplacement`):
 *   `$n` group numbers (further digits are taken while they name an existing group),
 *   `${name}` named groups, `\x` a literal x; an unmatched group expands to "".
 */
export interface JavaPattern {
  readonly regex: RegExp;
  readonly groupCount: number;
  readonly groupNames: readonly string[];
}

export function compileJavaPattern(pattern: string): JavaPattern {
  let body = pattern;
  let flags = '';
  const inline = /^\(\?([ims]+)\)/.exec(body);
  if (inline) {
    flags = [...new Set(inline[1])].join('');
    body = body.slice(inline[0].length);
  }
  const regex = new RegExp(`^(?:${body})$`, flags);
  const probe = new RegExp(`${body}|`, flags).exec('');
  const groupCount = probe === null ? 0 : probe.length - 1;
  const groupNames = probe?.groups ? Object.keys(probe.groups) : [];
  return { regex, groupCount, groupNames };
}

/** Error message for an invalid pattern, or null when it compiles. */
export function javaPatternProblem(pattern: string): string | null {
  try {
    compileJavaPattern(pattern);
    return null;
  } catch (e) {
    return errorMessage(e);
  }
}

type ReplacementPart = { literal: string } | { group: number } | { name: string };

/** Parses a replacement against a pattern's groups; throws an Error describing a bad reference. */
export function parseJavaReplacement(replacement: string, pattern: JavaPattern): readonly ReplacementPart[] {
  const parts: ReplacementPart[] = [];
  let literal = '';
  const flush = (): void => {
    if (literal !== '') parts.push({ literal });
    literal = '';
  };
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\') {
      i++;
      if (i >= replacement.length) throw new Error('character to be escaped is missing');
      literal += replacement[i];
    } else if (c === '$') {
      i++;
      if (i >= replacement.length) throw new Error('Illegal group reference: group index is missing');
      if (replacement[i] === '{') {
        const end = replacement.indexOf('}', i);
        if (end < 0) throw new Error("named capturing group is missing trailing '}'");
        const name = replacement.slice(i + 1, end);
        if (!/^[A-Za-z][A-Za-z0-9]*$/.test(name)) throw new Error(`named capturing group has invalid name ${name}`);
        if (!pattern.groupNames.includes(name)) throw new Error(`No group with name {${name}}`);
        flush();
        parts.push({ name });
        i = end;
      } else {
        const first = replacement.charCodeAt(i) - 48;
        if (first < 0 || first > 9) throw new Error('Illegal group reference');
        let group = first;
        while (i + 1 < replacement.length) {
          const d = replacement.charCodeAt(i + 1) - 48;
          if (d < 0 || d > 9 || group * 10 + d > pattern.groupCount) break;
          group = group * 10 + d;
          i++;
        }
        if (group > pattern.groupCount) throw new Error(`No group ${group}`);
        flush();
        parts.push({ group });
      }
    } else {
      literal += c;
    }
  }
  flush();
  return parts;
}

/** Expands parsed replacement parts for one match. */
export function expandReplacement(parts: readonly ReplacementPart[], match: RegExpExecArray): string {
  let out = '';
  for (const part of parts) {
    if ('literal' in part) out += part.literal;
    else if ('group' in part) out += match[part.group] ?? '';
    else out += match.groups?.[part.name] ?? '';
  }
  return out;
}

/** Expands a Java replacement string for one match (parses it each call). */
export function javaReplacement(replacement: string, pattern: JavaPattern, match: RegExpExecArray): string {
  return expandReplacement(parseJavaReplacement(replacement, pattern), match);
}
