import { DECIMAL_LOGICAL, type ConnectSchema, type Struct } from '@millrace/connect-sdk';
import type { TableModel } from './table-catalog';

/**
 * Decoding of a Postgres table's rows into the `before`/`after` structs of Debezium change
 * events (the records themselves are built by `changeRecord` / `tombstoneRecord` of
 * `@millrace/cdc-snapshot`, shared with the MySQL connector).
 *
 * Rows come in as the server's text per column (null = SQL NULL; undefined = a value
 * pgoutput did not send: unchanged TOAST or a non-key column of a key-only old tuple),
 * decoded by the column codecs. A column without a value is emitted as null when the
 * column is nullable, else as its type's zero value — except in the new row of an
 * update, where a missing value is an unchanged TOASTed value (see `decodeNewRow`).
 */
export type RowText = Readonly<Record<string, string | null | undefined>>;

/** The source partition of every record of a connector: Debezium's `{server: <topic.prefix>}`. */
export function sourcePartition(topicPrefix: string): Readonly<Record<string, unknown>> {
  return { server: topicPrefix };
}

export function decodeRow(model: TableModel, row: RowText): Struct {
  const out: Struct = {};
  for (const c of model.columns) {
    const text = row[c.name];
    out[c.name] = text === null || text === undefined ? (text === undefined && !c.optional ? zeroValue(c.codec.schema) : null) : c.codec.decode(text);
  }
  return out;
}

/**
 * The new row of an update. A column pgoutput sent as 'u' (unchanged TOAST, only under
 * REPLICA IDENTITY DEFAULT/INDEX/NOTHING: with FULL the parser fills it from the old row)
 * gets Debezium's `unavailable.value.placeholder` — the text itself in string columns,
 * its UTF-8 bytes in bytes columns, else null (or the type's zero value when NOT NULL) —
 * and is listed in `unchanged`.
 */
export function decodeNewRow(model: TableModel, row: RowText, placeholder: string): { row: Struct; unchanged: string[] } {
  const out = decodeRow(model, row);
  const unchanged: string[] = [];
  for (const c of model.columns) {
    if (row[c.name] !== undefined) continue;
    unchanged.push(c.name);
    const schema = c.codec.schema;
    if (schema.name === undefined && schema.type === 'string') out[c.name] = placeholder;
    else if (schema.name === undefined && schema.type === 'bytes') out[c.name] = Buffer.from(placeholder, 'utf8');
  }
  return { row: out, unchanged };
}

/**
 * The value a NOT NULL column gets in a partial row (the key-only `before` of a delete
 * under REPLICA IDENTITY DEFAULT), as Debezium fills required fields it was not sent:
 * 0, "", false, empty bytes.
 */
function zeroValue(schema: ConnectSchema): unknown {
  switch (schema.type) {
    case 'boolean':
      return false;
    case 'string':
      return schema.name === DECIMAL_LOGICAL ? '0' : '';
    case 'bytes':
      return schema.name === DECIMAL_LOGICAL ? '0' : Buffer.alloc(0);
    case 'struct':
      return Object.fromEntries((schema.fields ?? []).map((f) => [f.name, zeroValue(f.schema)]));
    case 'array':
      return [];
    case 'map':
      return new Map();
    default:
      return 0;
  }
}
