import { JdbcUrlError, parseJdbcUrl } from './jdbc-url';

describe('parseJdbcUrl', () => {
  it('parses PostgreSQL URLs with default and explicit ports and user/password parameters', () => {
    expect(parseJdbcUrl('jdbc:postgresql://db.example:6543/warehouse?user=etl&password=s%3Dcret&sslmode=disable')).toEqual({
      dialect: 'postgres',
      host: 'db.example',
      port: 6543,
      database: 'warehouse',
      user: 'etl',
      password: 's=cret',
      params: { sslmode: 'disable' },
    });
    expect(parseJdbcUrl('jdbc:postgresql://localhost/test')).toMatchObject({ port: 5432, user: undefined, password: undefined });
  });

  it('parses MySQL and MariaDB URLs, user info and IPv6 hosts', () => {
    expect(parseJdbcUrl('jdbc:mysql://127.0.0.1:3307/shop')).toMatchObject({ dialect: 'mysql', host: '127.0.0.1', port: 3307, database: 'shop' });
    expect(parseJdbcUrl('jdbc:mariadb://[::1]/shop')).toMatchObject({ dialect: 'mariadb', host: '::1', port: 3306 });
    expect(parseJdbcUrl('mysql://root:pw@h:1/d')).toMatchObject({ user: 'root', password: 'pw', host: 'h', port: 1, database: 'd' });
  });

  it('rejects unsupported subprotocols, missing databases, bad ports and host lists', () => {
    expect(() => parseJdbcUrl('jdbc:sqlserver://h/d')).toThrow(/unsupported JDBC subprotocol/);
    expect(() => parseJdbcUrl('jdbc:postgresql://h:5432/')).toThrow(/must name a database/);
    expect(() => parseJdbcUrl('jdbc:postgresql://h:99999/d')).toThrow(/invalid port/);
    expect(() => parseJdbcUrl('jdbc:mysql://a,b/d')).toThrow(JdbcUrlError);
    expect(() => parseJdbcUrl('nonsense')).toThrow(JdbcUrlError);
  });
});
