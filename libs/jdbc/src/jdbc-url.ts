/**
 * JDBC connection URLs of the databases the JDBC connectors (source and sink) use, parsed
 * into driver options.
 *
 * Accepted forms:
 *   jdbc:mysql://host[:port][/database][?key=value&...]        (default port 3306)
 *   jdbc:mariadb://host[:port][/database][?key=value&...]      (default port 3306)
 *   jdbc:postgresql://host[:port][/database][?key=value&...]   (default port 5432)
 *   jdbc:postgresql:database                                   (localhost:5432)
 * `host` may be an IPv6 literal in brackets. `user` and `password` query parameters are
 * taken as credentials; every other parameter is kept in `params` (unused by the drivers
 * here, kept for diagnostics). Failover host lists (`h1,h2`) are rejected.
 *
 * Contract: pure; throws JdbcUrlError whose message names the problem and never contains
 * the password.
 */
export type JdbcDriver = 'mysql' | 'postgres';

export interface JdbcUrl {
  /** Which driver (mysql2 or pg) talks to the server. */
  readonly driver: JdbcDriver;
  /** The JDBC subprotocol as written: mysql, mariadb or postgresql. */
  readonly subprotocol: 'mysql' | 'mariadb' | 'postgresql';
  readonly host: string;
  readonly port: number;
  /** Empty when the URL names no database (Postgres then uses the user name). */
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  readonly params: Readonly<Record<string, string>>;
}

export class JdbcUrlError extends Error {
  override readonly name = 'JdbcUrlError';
}

const SUBPROTOCOLS: Readonly<Record<string, { driver: JdbcDriver; port: number }>> = {
  mysql: { driver: 'mysql', port: 3306 },
  mariadb: { driver: 'mysql', port: 3306 },
  postgresql: { driver: 'postgres', port: 5432 },
};

export function parseJdbcUrl(url: string): JdbcUrl {
  const trimmed = url.trim();
  const m = /^jdbc:([a-z0-9]+):(.*)$/i.exec(trimmed);
  if (!m) throw new JdbcUrlError(`connection.url must start with jdbc:mysql:, jdbc:mariadb: or jdbc:postgresql: (got "${redact(trimmed)}")`);
  const subprotocol = m[1].toLowerCase();
  const known = SUBPROTOCOLS[subprotocol];
  if (!known) throw new JdbcUrlError(`unsupported JDBC subprotocol "${m[1]}"; supported: mysql, mariadb, postgresql`);
  let rest = m[2];

  let query = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const params = parseQuery(query);

  let host = 'localhost';
  let port = known.port;
  let database: string;
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2);
    const authority = slash >= 0 ? rest.slice(2, slash) : rest.slice(2);
    database = slash >= 0 ? decode(rest.slice(slash + 1)) : '';
    ({ host, port } = parseAuthority(authority, known.port));
  } else if (known.driver === 'postgres' && rest.length > 0 && !rest.includes('/')) {
    database = decode(rest);
  } else {
    throw new JdbcUrlError(`connection.url "${redact(trimmed)}" has no //host part`);
  }
  if (database.includes('/')) throw new JdbcUrlError(`connection.url database name "${database}" must not contain "/"`);

  const { user, password, ...others } = params;
  return {
    driver: known.driver,
    subprotocol: subprotocol as JdbcUrl['subprotocol'],
    host,
    port,
    database,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    params: others,
  };
}

function parseAuthority(authority: string, defaultPort: number): { host: string; port: number } {
  if (authority.includes('@')) throw new JdbcUrlError('connection.url must not carry credentials before the host; use connection.user/connection.password or ?user=&password=');
  if (authority.includes(',')) throw new JdbcUrlError(`connection.url lists several hosts ("${authority}"); only one host is supported`);
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) throw new JdbcUrlError(`connection.url has an unterminated IPv6 host "${authority}"`);
    host = authority.slice(1, end);
    const after = authority.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) throw new JdbcUrlError(`connection.url host "${authority}" is malformed`);
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = authority.lastIndexOf(':');
    host = colon >= 0 ? authority.slice(0, colon) : authority;
    portText = colon >= 0 ? authority.slice(colon + 1) : undefined;
  }
  if (host === '') host = 'localhost';
  let port = defaultPort;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new JdbcUrlError(`connection.url port "${portText}" is not a number between 1 and 65535`);
    }
    port = Number(portText);
  }
  return { host, port };
}

function parseQuery(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of query.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decode(eq >= 0 ? part.slice(0, eq) : part);
    out[key] = eq >= 0 ? decode(part.slice(eq + 1)) : '';
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    throw new JdbcUrlError(`connection.url has a malformed percent-encoding in "${redact(s)}"`);
  }
}

/** The URL with any password parameter value masked, for error messages. */
export function redact(url: string): string {
  return url.replace(/([?&;]password=)[^&;]*/gi, '$1[hidden]');
}

/** The database a URL names, for messages: `subprotocol://host:port/database` (no credentials). */
export function describeJdbcTarget(url: JdbcUrl): string {
  return `${url.subprotocol}://${url.host}:${url.port}/${url.database}`;
}
