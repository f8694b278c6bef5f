/**
 * Reconciliation facets: how a database connector names the table behind a topic, so the
 * runtime can compare a source table with the warehouse table a sink writes it into
 * (`POST /connectors/{sink}/reconcile`).
 *
 * Contract: both functions are pure (no I/O) and take the connector's resolved config
 * (placeholders replaced, secrets in clear — never logged or shown). A source answers
 * the table whose rows it sends to `topic`, or null when `topic` is not one of its
 * topics; a sink answers the table it writes `topic`'s records into, or null when it
 * does not consume `topic` (or keeps no table per topic).
 */
export type SqlDialect = 'postgres' | 'mysql';

export interface SqlTableRef {
  readonly dialect: SqlDialect;
  readonly host: string;
  readonly port: number;
  /** The database to connect to (Postgres) or the default one (MySQL). */
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
  /** Postgres schema or MySQL database of the table; null = the connection's default. */
  readonly schema: string | null;
  readonly table: string;
}

export interface ReconcileSourceFacet {
  sourceTable(config: Readonly<Record<string, string>>, topic: string): SqlTableRef | null;
}

export interface ReconcileTargetFacet {
  targetTable(config: Readonly<Record<string, string>>, topic: string): SqlTableRef | null;
}
