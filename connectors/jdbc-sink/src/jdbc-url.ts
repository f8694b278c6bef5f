/**
 * Parses the JDBC connection URLs the JDBC sink accepts into driver options.
 *
 * Accepted forms (the `jdbc:` prefix is optional, so plain driver URLs work too):
 *   jdbc:postgresql://host[:port]/database[?user=u&password=p&...]
 *   jdbc:mysql://host[:port]/database[?user=u&password=p&...]
 *   jdbc:mariadb://host[:port]/database[?...]
 *   postgres://user:pass@host:port/db, mysql://user@host/db
 * Hosts may be IPv6 literals in brackets. Several hosts (failover lists) are rejected.
 * Query parameters other than user/password are kept in `params` and otherwise ignored.
 *
 * Contract: throws JdbcUrlError with a message naming the problem; never logs or echoes
 * the password.
 */
export type JdbcDialectName = 'postgres' | 'mysql' | 'mariadb';

export interface JdbcUrl {
  readonly dialect: JdbcDialectName;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  readonly params: Readonly<Record<string, string>>;
}

export class JdbcUrlError extends Error {
  override readonly name = 'JdbcUrlError';
}

const SCHEMES: Readonly<Record<string, { dialect: JdbcDialectName; port: number }>> = {
  postgresql: { dialect: 'postgres', port: 5432 },
  postgres: { dialect: 'postgres', port: 5432 },
  mysql: { dialect: 'mysql', port: 3306 },
  mariadb: { dialect: 'mariadb', port: 3306 },
};

export function parseJdbcUrl(url: string): JdbcUrl {
  const trimmed = url.trim();
  const rest = trimmed.startsWith('jdbc:') ? trimmed.slice('jdbc:'.length) : trimmed;
  const match = /^([a-z]+):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(rest);
  if (!match) {
    throw new JdbcUrlError(`connection.url must look like jdbc:postgresql://host:port/database or jdbc:mysql://host:port/database`);
  }
  const [, schemeRaw, authority, dbPath = '', query = ''] = match;
  const scheme = SCHEMES[schemeRaw.toLowerCase()];
  if (!scheme) {
    throw new JdbcUrlError(`unsupported JDBC subprotocol "${schemeRaw}" (supported: postgresql, mysql, mariadb)`);
  }

  let hostPort = authority;
  let user: string | undefined;
  let password: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const userInfo = authority.slice(0, at);
    hostPort = authority.slice(at + 1);
    const colon = userInfo.indexOf(':');
    user = decode(colon >= 0 ? userInfo.slice(0, colon) : userInfo);
    if (colon >= 0) password = decode(userInfo.slice(colon + 1));
  }
  if (hostPort.includes(',')) throw new JdbcUrlError('connection.url with several hosts is not supported');

  let host: string;
  let portText: string | undefined;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) throw new JdbcUrlError('connection.url has an unterminated IPv6 host');
    host = hostPort.slice(1, close);
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw new JdbcUrlError('connection.url has garbage after the IPv6 host');
    portText = after ? after.slice(1) : undefined;
  } else {
    const colon = hostPort.lastIndexOf(':');
    host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
    portText = colon >= 0 ? hostPort.slice(colon + 1) : undefined;
  }
  if (host === '') host = 'localhost';
  let port = scheme.port;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new JdbcUrlError(`connection.url has an invalid port "${portText}"`);
    }
    port = Number(portText);
  }

  const database = decode(dbPath);
  if (database === '') throw new JdbcUrlError('connection.url must name a database (…://host:port/database)');

  const params: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq >= 0 ? pair.slice(0, eq) : pair);
    params[key] = decode(eq >= 0 ? pair.slice(eq + 1) : '');
  }
  if (params.user !== undefined) user = params.user;
  if (params.password !== undefined) password = params.password;
  delete params.user;
  delete params.password;

  return { dialect: scheme.dialect, host, port, database, user, password, params };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new JdbcUrlError('connection.url has an invalid percent-encoding');
  }
}
