import { atLeast, configNonEmptyString, configNumber, configString, type ConfigKey, type ParsedConfig, type SqlTableRef } from '@millrace/connect-sdk';
import { errorMessage } from '@millrace/app-common';
import { parseJdbcUrl, type JdbcUrl } from './jdbc-url';

/**
 * The `connection.*` keys every JDBC connector takes, with the names, types and defaults
 * of Confluent's JDBC connectors:
 *
 *   connection.url         STRING    required; a URL parseJdbcUrl accepts (jdbc-url.ts)
 *   connection.user        STRING    default null; wins over the URL's `user=`
 *   connection.password    PASSWORD  default null; wins over the URL's `password=`
 *   connection.attempts    INT       default 3, at least 1: tries to open a connection
 *   connection.backoff.ms  LONG      default 10000, at least 0: wait between two tries
 *
 * A connector puts {@link jdbcConnectionConfigKeys} into its ConfigDef (in its own group)
 * and reads the parsed values with {@link readJdbcConnectionConfig}; connect-retry.ts
 * then opens connections with those settings.
 */
export const CONNECTION_URL_CONFIG = 'connection.url';
export const CONNECTION_USER_CONFIG = 'connection.user';
export const CONNECTION_PASSWORD_CONFIG = 'connection.password';
export const CONNECTION_ATTEMPTS_CONFIG = 'connection.attempts';
export const CONNECTION_BACKOFF_MS_CONFIG = 'connection.backoff.ms';

export interface JdbcConnectionKeysOptions {
  /** ConfigDef group of the keys (Confluent: "Database" for the source, "Connection" for the sink). */
  readonly group: string;
  /** The URL must name a database (jdbc:…://host:port/database). Default false. */
  readonly requireDatabase?: boolean;
}

/** The connection settings of a parsed connector config. */
export interface JdbcConnectionConfig {
  readonly url: JdbcUrl;
  /** connection.user, else the URL's `user=` parameter. */
  readonly user: string | undefined;
  /** connection.password, else the URL's `password=` parameter. */
  readonly password: string | undefined;
  readonly connectionAttempts: number;
  readonly connectionBackoffMs: number;
}

function urlProblem(value: unknown, requireDatabase: boolean): string | null {
  try {
    const url = parseJdbcUrl(String(value ?? ''));
    return requireDatabase && url.database === '' ? 'connection.url must name a database (jdbc:…://host:port/database)' : null;
  } catch (err) {
    return errorMessage(err);
  }
}

/** The five `connection.*` keys, ordered 1..5 in `options.group`. */
export function jdbcConnectionConfigKeys(options: JdbcConnectionKeysOptions): ConfigKey[] {
  const { group } = options;
  return [
    {
      name: CONNECTION_URL_CONFIG,
      type: 'STRING',
      importance: 'HIGH',
      group,
      orderInGroup: 1,
      width: 'LONG',
      displayName: 'JDBC URL',
      documentation: 'JDBC connection URL: jdbc:mysql://host:port/db, jdbc:mariadb://host:port/db or jdbc:postgresql://host:port/db; ?user=&password= are accepted.',
      validator: (value) => urlProblem(value, options.requireDatabase === true),
    },
    {
      name: CONNECTION_USER_CONFIG,
      type: 'STRING',
      default: null,
      importance: 'HIGH',
      group,
      orderInGroup: 2,
      width: 'MEDIUM',
      displayName: 'JDBC User',
      documentation: 'JDBC connection user (overrides ?user= in the URL).',
    },
    {
      name: CONNECTION_PASSWORD_CONFIG,
      type: 'PASSWORD',
      default: null,
      importance: 'HIGH',
      group,
      orderInGroup: 3,
      width: 'MEDIUM',
      displayName: 'JDBC Password',
      documentation: 'JDBC connection password (overrides ?password= in the URL).',
    },
    {
      name: CONNECTION_ATTEMPTS_CONFIG,
      type: 'INT',
      default: 3,
      importance: 'LOW',
      group,
      orderInGroup: 4,
      width: 'SHORT',
      displayName: 'JDBC connection attempts',
      validator: atLeast(1),
      documentation: 'Maximum number of attempts to get a working connection.',
    },
    {
      name: CONNECTION_BACKOFF_MS_CONFIG,
      type: 'LONG',
      default: 10000,
      importance: 'LOW',
      group,
      orderInGroup: 5,
      width: 'SHORT',
      displayName: 'JDBC connection backoff (millis)',
      validator: atLeast(0),
      documentation: 'Backoff time in milliseconds between connection attempts.',
    },
  ];
}

/** The connection settings of values parsed with {@link jdbcConnectionConfigKeys}; throws JdbcUrlError on an invalid URL. */
export function readJdbcConnectionConfig(parsed: ParsedConfig): JdbcConnectionConfig {
  const url = parseJdbcUrl(configString(parsed, CONNECTION_URL_CONFIG) ?? '');
  return {
    url,
    user: configNonEmptyString(parsed, CONNECTION_USER_CONFIG) ?? url.user,
    password: configNonEmptyString(parsed, CONNECTION_PASSWORD_CONFIG) ?? url.password,
    connectionAttempts: configNumber(parsed, CONNECTION_ATTEMPTS_CONFIG),
    connectionBackoffMs: configNumber(parsed, CONNECTION_BACKOFF_MS_CONFIG),
  };
}

/** The table `schema.table` (schema null: the connection's default) of a JDBC connection, as reconciliation names it. */
export function jdbcTableRef(config: JdbcConnectionConfig, schema: string | null, table: string): SqlTableRef {
  const url = config.url;
  return { dialect: url.driver, host: url.host, port: url.port, database: url.database, user: config.user, password: config.password, schema, table };
}
