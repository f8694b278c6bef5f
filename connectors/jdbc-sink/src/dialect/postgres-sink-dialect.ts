import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import {
  DEBEZIUM_DATE,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_ZONED_TIME,
  DEBEZIUM_ZONED_TIMESTAMP,
} from '@millrace/jdbc';
import { columnTypeSql, decimalPrecision, decimalScale, UnsupportedSchemaError, VARIABLE_SCALE_DECIMAL, type ColumnTypeFacts } from '@millrace/sink-rows';
import { SinkDialect, type SqlColumnType } from './sink-dialect';

/**
 * PostgreSQL: `"ident"` quoting, `$n` placeholders, at most 65535 parameters per
 * statement (the wire protocol's limit), upsert as
 * `INSERT ... ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c` (DO NOTHING when every
 * column is a key). One upsert statement must not touch the same key twice; the writer
 * deduplicates rows by key before building it.
 *
 * Types: int8/int16 -> SMALLINT, int32 -> INTEGER, int64 -> BIGINT, float32 -> REAL,
 * float64 -> DOUBLE PRECISION, boolean -> BOOLEAN, string -> TEXT, bytes -> BYTEA,
 * Decimal -> NUMERIC(p, s) when the schema carries connect.decimal.precision, else NUMERIC
 * (unconstrained, keeps any scale), Debezium's VariableScaleDecimal -> NUMERIC, Date -> DATE, Time -> TIME(3), Timestamp -> TIMESTAMP(3)
 * (without time zone, holding UTC); Debezium's io.debezium.time.* (@millrace/jdbc
 * temporal-types.ts): Date -> DATE, Time -> TIME(3), MicroTime -> TIME(6), ZonedTime ->
 * TIMETZ(6), Timestamp -> TIMESTAMP(3), MicroTimestamp -> TIMESTAMP(6), ZonedTimestamp ->
 * TIMESTAMPTZ(6).
 */
export class PostgresSinkDialect extends SinkDialect {
  readonly name = 'postgres' as const;
  readonly maxParameters = 65535;
  readonly maxStatementBytes = 64 * 1024 * 1024;
  readonly caseInsensitiveColumns = false;

  columnType(schema: ConnectSchema, _isPrimaryKey: boolean): SqlColumnType {
    switch (schema.name) {
      case DECIMAL_LOGICAL: {
        const precision = decimalPrecision(schema, 1000);
        return precision === undefined ? { type: 'numeric' } : { type: 'numeric', precision, scale: decimalScale(schema) };
      }
      case VARIABLE_SCALE_DECIMAL:
        return { type: 'numeric' };
      case DATE_LOGICAL:
      case DEBEZIUM_DATE:
        return { type: 'date' };
      case TIME_LOGICAL:
      case DEBEZIUM_TIME:
        return { type: 'time', precision: 3 };
      case DEBEZIUM_MICRO_TIME:
        return { type: 'time', precision: 6 };
      case DEBEZIUM_ZONED_TIME:
        return { type: 'time with time zone', precision: 6 };
      case TIMESTAMP_LOGICAL:
      case DEBEZIUM_TIMESTAMP:
        return { type: 'timestamp', precision: 3 };
      case DEBEZIUM_MICRO_TIMESTAMP:
        return { type: 'timestamp', precision: 6 };
      case DEBEZIUM_ZONED_TIMESTAMP:
        return { type: 'timestamp with time zone', precision: 6 };
      default:
        break;
    }
    switch (schema.type) {
      case 'int8':
      case 'int16':
        return { type: 'smallint' };
      case 'int32':
        return { type: 'integer' };
      case 'int64':
        return { type: 'bigint' };
      case 'float32':
        return { type: 'real' };
      case 'float64':
        return { type: 'double precision' };
      case 'boolean':
        return { type: 'boolean' };
      case 'string':
        return { type: 'text' };
      case 'bytes':
        return { type: 'bytea' };
      default:
        throw new UnsupportedSchemaError(`no PostgreSQL column type for Connect type ${schema.type}`);
    }
  }

  upsertSql(table: string, columns: readonly string[], keyColumns: readonly string[], rowCount: number): string {
    return `${this.insertSql(table, columns, rowCount)} ${this.onConflict(columns, keyColumns)}`;
  }

  /** `ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c, ...`, or `DO NOTHING` when every column is a key. */
  onConflict(columns: readonly string[], keyColumns: readonly string[]): string {
    const keys = new Set(keyColumns);
    const updates = columns.filter((c) => !keys.has(c)).map((c) => `${this.quoteIdentifier(c)} = EXCLUDED.${this.quoteIdentifier(c)}`);
    const conflict = `ON CONFLICT (${keyColumns.map((c) => this.quoteIdentifier(c)).join(', ')})`;
    return `${conflict} ${updates.length > 0 ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  }

  modifyColumnSql(table: string, column: string, change: 'type' | 'nullable', type: ColumnTypeFacts): string {
    const target = `ALTER TABLE ${this.quoteTable(table)} ALTER COLUMN ${this.quoteIdentifier(column)}`;
    return change === 'type' ? `${target} TYPE ${columnTypeSql(type)}` : `${target} DROP NOT NULL`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? 'true' : 'false';
  }
}
