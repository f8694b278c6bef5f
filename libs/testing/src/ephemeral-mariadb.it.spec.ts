import * as fs from 'node:fs';
import * as path from 'node:path';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { startMariaDb, type EphemeralMariaDb } from './ephemeral-mariadb';
import { canConnect } from './free-port';
import { isProcessAlive } from './process-alive';

jest.setTimeout(60_000);

describe('startMariaDb', () => {
  let db: EphemeralMariaDb | undefined;

  afterEach(async () => {
    await db?.stop();
    db = undefined;
  });

  it('starts a private server with a ROW binlog, a root login over TCP and a "test" database', async () => {
    db = await startMariaDb();
    expect(db.port).not.toBe(3306);
    const conn = await createConnection({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database });
    try {
      const variable = async (name: string): Promise<string> => {
        const [rows] = await conn.query<RowDataPacket[]>('SHOW VARIABLES LIKE ?', [name]);
        return String(rows[0]?.Value);
      };
      expect(await variable('binlog_format')).toBe('ROW');
      expect(await variable('log_bin')).toBe('ON');
      expect(await variable('server_id')).toBe('1');
      const [dbRows] = await conn.query<RowDataPacket[]>('SELECT DATABASE() AS db');
      expect(dbRows[0].db).toBe('test');
      await conn.query('CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))');
      await conn.query(`INSERT INTO t VALUES (1, 'a')`);
      const [status] = await conn.query<RowDataPacket[]>('SHOW MASTER STATUS');
      expect(status[0].File).toMatch(/^mysql-bin\.\d+$/);
    } finally {
      await conn.end();
    }
  });

  it('kill() really ends mariadbd and frees the port; stop() then removes the directory', async () => {
    db = await startMariaDb();
    const pid = db.pid as number;
    const root = path.dirname(db.dataDir);
    await db.kill();
    expect(isProcessAlive(pid)).toBe(false);
    expect(await canConnect(db.host, db.port)).toBe(false);
    expect(fs.existsSync(root)).toBe(true);
    await db.stop();
    expect(fs.existsSync(root)).toBe(false);
  });
});
