/**
 * The ERP tables of the connect integration tests and benchmarks (customers, orders,
 * order_lines): names, the MariaDB DDL, and every column with the kind its canonical
 * text takes in the digests (erp-digest.ts).
 */
export const ERP_TABLES = ['customers', 'orders', 'order_lines'] as const;
export type ErpTable = (typeof ERP_TABLES)[number];

export type ColumnKind = 'int' | 'text' | 'decimal2' | 'ts3';
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** Every column of every table, in a fixed order, and the primary key the checksum orders by. */
export const ERP_COLUMNS: Readonly<Record<ErpTable, { readonly pk: readonly string[]; readonly columns: readonly ColumnSpec[] }>> = {
  customers: {
    pk: ['id'],
    columns: [
      { name: 'id', kind: 'int' },
      { name: 'name', kind: 'text' },
      { name: 'email', kind: 'text' },
      { name: 'created_at', kind: 'ts3' },
      { name: 'updated_at', kind: 'ts3' },
      { name: 'credit', kind: 'decimal2' },
    ],
  },
  orders: {
    pk: ['id'],
    columns: [
      { name: 'id', kind: 'int' },
      { name: 'customer_id', kind: 'int' },
      { name: 'status', kind: 'text' },
      { name: 'total', kind: 'decimal2' },
      { name: 'updated_at', kind: 'ts3' },
    ],
  },
  order_lines: {
    pk: ['order_id', 'line_no'],
    columns: [
      { name: 'order_id', kind: 'int' },
      { name: 'line_no', kind: 'int' },
      { name: 'id', kind: 'int' },
      { name: 'sku', kind: 'text' },
      { name: 'qty', kind: 'int' },
      { name: 'price', kind: 'decimal2' },
      { name: 'updated_at', kind: 'ts3' },
    ],
  },
};

export const ERP_DDL: readonly string[] = [
  `CREATE TABLE customers (
     id INT AUTO_INCREMENT PRIMARY KEY,
     name VARCHAR(100) NOT NULL,
     email VARCHAR(200) NOT NULL,
     created_at DATETIME(3) NOT NULL,
     updated_at DATETIME(3) NOT NULL,
     credit DECIMAL(12,2) NOT NULL,
     KEY customers_updated (updated_at, id))`,
  `CREATE TABLE orders (
     id INT AUTO_INCREMENT PRIMARY KEY,
     customer_id INT NOT NULL,
     status VARCHAR(32) NOT NULL,
     total DECIMAL(12,2) NOT NULL,
     updated_at DATETIME(3) NOT NULL,
     KEY orders_updated (updated_at, id))`,
  `CREATE TABLE order_lines (
     order_id INT NOT NULL,
     line_no SMALLINT NOT NULL,
     id BIGINT AUTO_INCREMENT UNIQUE,
     sku VARCHAR(32) NOT NULL,
     qty INT NOT NULL,
     price DECIMAL(10,2) NOT NULL,
     updated_at DATETIME(3) NOT NULL,
     PRIMARY KEY (order_id, line_no),
     KEY order_lines_updated (updated_at, id))`,
];
