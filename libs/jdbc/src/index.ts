export { parseJdbcUrl, redact, JdbcUrlError, type JdbcUrl, type JdbcDriver } from './jdbc-url';
