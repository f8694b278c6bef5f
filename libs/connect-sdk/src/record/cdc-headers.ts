/**
 * Record headers that CDC sources and sinks agree on (the producer and the consumer of
 * each live in different connectors, so the names are declared once here).
 *
 * UNCHANGED_COLUMNS_HEADER: on a change event (and on what ExtractNewRecordState makes of
 * it, since transforms keep headers), a JSON array of the columns whose values the
 * source did not receive and replaced by a placeholder — unchanged TOASTed values of a
 * Postgres update. A sink that upserts or updates leaves those columns as they are.
 */
export const UNCHANGED_COLUMNS_HEADER = 'millrace.unchanged.columns';
