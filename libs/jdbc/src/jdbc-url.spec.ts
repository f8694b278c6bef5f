import { JdbcUrlError, parseJdbcUrl, redact } from './jdbc-url';

describe('parseJdbcUrl', () => {
  it('parses MySQL, MariaDB and Postgres URLs with default ports', () => {
    expect(parseJdbcUrl('jdbc:mysql://db.example:3307/shop')).toEqual({ driver: 'mysql', subprotocol: 'mysql', host: 'db.example', port: 3307, database: 'shop', params: {} });
    expect(parseJdbcUrl('jdbc:mariadb://localhost/shop')).toMatchObject({ driver: 'mysql', subprotocol: 'mariadb', port: 3306, database: 'shop' });
    expect(parseJdbcUrl('jdbc:postgresql://127.0.0.1/erp')).toMatchObject({ driver: 'postgres', host: '127.0.0.1', port: 5432, database: 'erp' });
    expect(parseJdbcUrl('jdbc:postgresql:erp')).toMatchObject({ driver: 'postgres', host: 'localhost', port: 5432, database: 'erp' });
    expect(parseJdbcUrl('JDBC:PostgreSQL://h:6543/')).toMatchObject({ driver: 'postgres', port: 6543, database: '' });
  });

  it('takes user and password from the query and keeps other parameters', () => {
    const url = parseJdbcUrl('jdbc:mysql://h:1/d?user=app&password=p%40ss&useSSL=false');
    expect(url.user).toBe('app');
    expect(url.password).toBe('p@ss');
    expect(url.params).toEqual({ useSSL: 'false' });
  });

  it('accepts IPv6 hosts and percent-encoded database names', () => {
    expect(parseJdbcUrl('jdbc:postgresql://[::1]:5433/my%20db')).toMatchObject({ host: '::1', port: 5433, database: 'my db' });
    expect(parseJdbcUrl('jdbc:mysql://[fe80::1]/x')).toMatchObject({ host: 'fe80::1', port: 3306 });
  });

  it.each([
    ['mysql://h/d', /must start with jdbc:/],
    ['jdbc:oracle:thin:@h:1521:x', /unsupported JDBC subprotocol "oracle"/],
    ['jdbc:mysql:shop', /no \/\/host part/],
    ['jdbc:mysql://h:99999/d', /port "99999"/],
    ['jdbc:mysql://h:abc/d', /port "abc"/],
    ['jdbc:mysql://a,b/d', /several hosts/],
    ['jdbc:mysql://u:p@h/d', /credentials/],
    ['jdbc:postgresql://[::1/d', /unterminated IPv6/],
  ])('rejects %s', (url, message) => {
    expect(() => parseJdbcUrl(url)).toThrow(JdbcUrlError);
    expect(() => parseJdbcUrl(url)).toThrow(message);
  });

  it('never puts the password into an error message', () => {
    expect(() => parseJdbcUrl('mysql://h/d?password=s3cret')).toThrow(/\[hidden\]/);
    expect(redact('jdbc:mysql://h/d?user=a&password=s3cret&x=1')).toBe('jdbc:mysql://h/d?user=a&password=[hidden]&x=1');
  });
});
