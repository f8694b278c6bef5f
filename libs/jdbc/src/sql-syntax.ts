import type { JdbcDriver } from './jdbc-url';

/**
 * The SQL spelling that differs between the drivers the JDBC connectors use, written once
 * for all of them (source, sink, and the change-data-capture connectors).
 *
 * Identifier quoting: an identifier is always quoted, so its case is kept exactly and any
 * character is allowed.
 * - mysql (MySQL and MariaDB): backticks, a backtick inside doubled: a`b -> `a``b`.
 * - postgres: double quotes, a double quote inside doubled: a"b -> "a""b".
 * A qualified name quotes each part and joins them with '.': [s, t] -> "s"."t" (the parts
 * are not split again, so a part may itself contain a dot).
 *
 * Bind placeholders (1-based parameter index): mysql `?` (positional), postgres `$n`.
 */
export function quoteIdentifier(driver: JdbcDriver, name: string): string {
  return driver === 'mysql' ? '`' + name.replace(/`/g, '``') + '`' : '"' + name.replace(/"/g, '""') + '"';
}

/** Each part quoted by {@link quoteIdentifier}, joined with '.'. */
export function quoteQualifiedName(driver: JdbcDriver, parts: readonly string[]): string {
  return parts.map((part) => quoteIdentifier(driver, part)).join('.');
}

/** The placeholder of the 1-based bind parameter `index`. */
export function bindPlaceholder(driver: JdbcDriver, index: number): string {
  return driver === 'mysql' ? '?' : `$${index}`;
}
