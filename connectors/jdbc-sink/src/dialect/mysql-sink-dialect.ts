import { DATE_LOGICAL, DECIMAL_LOGICAL, TIME_LOGICAL, TIMESTAMP_LOGICAL, type ConnectSchema } from '@millrace/connect-sdk';
import {
  DEBEZIUM_DATE,
  DEBEZIUM_MICRO_TIME,
  DEBEZIUM_MICRO_TIMESTAMP,
  DEBEZIUM_TIME,
  DEBEZIUM_TIMESTAMP,
  DEBEZIUM_ZONED_TIMESTAMP,
  zonedTimestampToUtcSql,
} from '@millrace/jdbc';
import { columnTypeSql, decimalPrecision, decimalScale, UnsupportedSchemaError, VARIABLE_SCALE_DECIMAL, type ColumnTypeFacts } from '@millrace/sink-rows';
import { SinkDialect, type SqlColumnType } from './sink-dialect';

/**
 * MySQL and MariaDB: backtick quoting, `?` placeholders. TypeORM's mysql2 driver
 * interpolates parameters on the client (no server-side parameter limit), so the limit
 * that matters is max_allowed_packet (16 MiB by default on MariaDB): statements are kept
 * under 4 MiB of estimated text and 65535 parameters. Upsert is
 * `INSERT ... ON DUPLICATE KEY UPDATE c = VALUES(c)` (VALUES() works on MariaDB and MySQL,
 * where it is deprecated but accepted).
 *
 * Types: int8 -> TINYINT, int16 -> SMALLINT, int32 -> INT, int64 -> BIGINT, float32 ->
 * FLOAT, float64 -> DOUBLE, boolean -> BOOLEAN (TINYINT(1)), string -> TEXT or
 * VARCHAR(255) in a primary key, bytes -> LONGBLOB or VARBINARY(255) in a primary key,
 * Decimal -> DECIMAL(p, scale) with p from connect.decimal.precision, else 65 (scale capped
 * at 30), Debezium's VariableScaleDecimal -> DECIMAL(65, 30) (digits beyond 30 decimals
 * rounded), Date -> DATE, Time -> TIME(3), Timestamp -> DATETIME(3) (holding UTC);
 * Debezium's io.debezium.time.*: Date -> DATE, Time -> TIME(3), MicroTime -> TIME(6),
 * Timestamp -> DATETIME(3), MicroTimestamp and ZonedTimestamp -> DATETIME(6) (UTC).
 * ZonedTime stays TEXT (MySQL has no TIME WITH TIME ZONE).
 */
export class MySqlSinkDialect extends SinkDialect {
  readonly name = 'mysql' as const;
  readonly maxParameters = 65535;
  readonly maxStatementBytes = 4 * 1024 * 1024;
  readonly caseInsensitiveColumns = true;

  columnType(schema: ConnectSchema, isPrimaryKey: boolean): SqlColumnType {
    switch (schema.name) {
      case DECIMAL_LOGICAL: {
        const scale = Math.min(decimalScale(schema), 30);
        return { type: 'decimal', precision: Math.max(decimalPrecision(schema, 65) ?? 65, scale), scale };
      }
      case VARIABLE_SCALE_DECIMAL:
        return { type: 'decimal', precision: 65, scale: 30 };
      case DATE_LOGICAL:
      case DEBEZIUM_DATE:
        return { type: 'date' };
      case TIME_LOGICAL:
      case DEBEZIUM_TIME:
        return { type: 'time', precision: 3 };
      case DEBEZIUM_MICRO_TIME:
        return { type: 'time', precision: 6 };
      case TIMESTAMP_LOGICAL:
      case DEBEZIUM_TIMESTAMP:
        return { type: 'datetime', precision: 3 };
      case DEBEZIUM_MICRO_TIMESTAMP:
      case DEBEZIUM_ZONED_TIMESTAMP:
        return { type: 'datetime', precision: 6 };
      default:
        break;
    }
    switch (schema.type) {
      case 'int8':
        return { type: 'tinyint' };
      case 'int16':
        return { type: 'smallint' };
      case 'int32':
        return { type: 'int' };
      case 'int64':
        return { type: 'bigint' };
      case 'float32':
        return { type: 'float' };
      case 'float64':
        return { type: 'double' };
      case 'boolean':
        return { type: 'boolean' };
      case 'string':
        return isPrimaryKey ? { type: 'varchar', length: '255' } : { type: 'text' };
      case 'bytes':
        return isPrimaryKey ? { type: 'varbinary', length: '255' } : { type: 'longblob' };
      default:
        throw new UnsupportedSchemaError(`no MySQL column type for Connect type ${schema.type}`);
    }
  }

  upsertSql(table: string, columns: readonly string[], keyColumns: readonly string[], rowCount: number): string {
    const keys = new Set(keyColumns);
    const nonKeys = columns.filter((c) => !keys.has(c));
    // With only key columns there is nothing to update; assigning a key to itself is a no-op.
    const targets = nonKeys.length > 0 ? nonKeys : keyColumns.slice(0, 1);
    const updates = targets.map((c) => `${this.quoteIdentifier(c)} = VALUES(${this.quoteIdentifier(c)})`);
    return `${this.insertSql(table, columns, rowCount)} ON DUPLICATE KEY UPDATE ${updates.join(', ')}`;
  }

  modifyColumnSql(table: string, column: string, _change: 'type' | 'nullable', type: ColumnTypeFacts, nullable: boolean, defaultSql: string | undefined): string {
    return `ALTER TABLE ${this.quoteTable(table)} MODIFY COLUMN ${this.quoteIdentifier(column)} ${columnTypeSql(type)} ${nullable ? 'NULL' : 'NOT NULL'}${defaultSql !== undefined ? ` DEFAULT ${defaultSql}` : ''}`;
  }

  protected booleanLiteral(value: boolean): string {
    return value ? '1' : '0';
  }

  protected override readonly keepsZonedTimestamps = false;

  /** DATETIME holds no zone: the UTC wall-clock text (sessions run in UTC). */
  protected override zonedTimestampValue(text: string): string {
    return zonedTimestampToUtcSql(text);
  }
}
