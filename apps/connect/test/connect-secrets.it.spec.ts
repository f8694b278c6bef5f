import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPostgres, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { SecretCipher } from '../src/secrets/secret-cipher';
import { ConnectRest, waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';
import { readAll } from './support/kafka';

/**
 * Secrets (issue 8): config providers resolve in running tasks, the stored config keeps
 * the placeholder, PASSWORD values are `[hidden]` in every REST answer and log line, a
 * `[hidden]` sent back keeps the stored value, and with MILLRACE_CONNECT_SECRETS_KEY the
 * connect-configs topic holds only AES-GCM envelopes. FakeSource sends its resolved
 * `fake.secret` as a record header, so the test sees what the task received; a
 * jdbc-source and a jdbc-sink log into Postgres as a role that needs its password.
 */
describe('connect secrets', () => {
  const key = randomBytes(32);
  const secrets = { env: 'env-secret-Zq81x', file: 'file-secret-Kp27y', directory: 'dir-secret-Wm55z', literal: 'literal-secret-Hx93w' };
  const pgSecret = 'pg-secret-Qv42r';
  const wrongPassword = 'wrong-secret-Ty66s';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-secrets-it-'));
  const propsFile = path.join(dir, 'db.properties');
  fs.writeFileSync(propsFile, `# database\nuser = app\npassword = ${secrets.file}\n`);
  fs.mkdirSync(path.join(dir, 'mounted'));
  fs.writeFileSync(path.join(dir, 'mounted', 'db-password'), secrets.directory);
  const pgProps = path.join(dir, 'pg.properties');
  fs.writeFileSync(pgProps, `password=${pgSecret}\n`);
  const placeholders = {
    env: '${env:SECRETS_IT_PASSWORD}',
    file: `\${file:${propsFile}:password}`,
    directory: `\${directory:${path.join(dir, 'mounted')}:db-password}`,
    literal: secrets.literal,
  };
  const names = Object.keys(placeholders) as (keyof typeof placeholders)[];
  let rest: ConnectRest;
  let kafka: Kafka;
  let connect: ConnectProcess;
  const config = (kind: keyof typeof placeholders, extra: Record<string, string> = {}) => ({
    'connector.class': 'FakeSource',
    topic: `secrets-${kind}`,
    'tasks.max': '1',
    'fake.secret': placeholders[kind],
    'fake.log.config': 'true',
    'fake.max.records': '5',
    'fake.poll.interval.ms': '20',
    ...PLAIN_CONVERTERS,
    ...extra,
  });
  const allSecrets = [...Object.values(secrets), pgSecret, wrongPassword];
  const expectNoSecret = (what: string, text: string) => {
    for (const s of allSecrets) if (text.includes(s)) throw new Error(`${what} contains the secret ${s}`);
  };
  const headerValues = async (topic: string, count: number) =>
    waitFor(`${count} records on ${topic}`, async () => {
      const msgs = await readAll(kafka, topic).catch(() => []);
      return msgs.length >= count ? msgs.map((m) => String(m.headers?.['fake.secret'])) : undefined;
    });

  useConnectWorker(
    (env) => {
      ({ rest, kafka, connect } = env);
    },
    { withRegistry: true, env: { MILLRACE_CONNECT_SECRETS_KEY: key.toString('base64'), SECRETS_IT_PASSWORD: secrets.env, SECRETS_IT_PG_PASSWORD: pgSecret } },
  );
  let pg: EphemeralPostgres;
  let db: Client;
  beforeAll(async () => {
    pg = await startPostgres();
    db = new Client({ connectionString: pg.connectionString });
    await db.connect();
    // The test role must give its password over TCP (the superuser keeps trust auth).
    await db.query(`CREATE ROLE millrace_app LOGIN SUPERUSER PASSWORD '${pgSecret}'`);
    const hba = path.join(pg.dataDir, 'pg_hba.conf');
    fs.writeFileSync(hba, `host all millrace_app 127.0.0.1/32 scram-sha-256\n${fs.readFileSync(hba, 'utf8')}`);
    await db.query('SELECT pg_reload_conf()');
  });
  afterAll(async () => {
    await db?.end();
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('env, file and directory placeholders resolve in the running task; answers show [hidden]', async () => {
    for (const kind of names) {
      const r = await rest.call('POST', '/connectors', { name: `src-${kind}`, config: config(kind) });
      expect(r.status).toBe(201);
      expect((r.body as { config: Record<string, string> }).config['fake.secret']).toBe('[hidden]');
      expectNoSecret(`POST answer of ${kind}`, JSON.stringify(r.body));
    }
    for (const kind of names) {
      await rest.waitForState(`src-${kind}`, 'RUNNING', 1);
      expect(new Set(await headerValues(`secrets-${kind}`, 5))).toEqual(new Set([secrets[kind]]));
    }
  });

  test('jdbc-source (password from a file) and jdbc-sink (password from the environment) log into Postgres', async () => {
    await db.query('CREATE TABLE secret_orders (id SERIAL PRIMARY KEY, item TEXT NOT NULL)');
    for (let i = 1; i <= 4; i++) await db.query('INSERT INTO secret_orders (item) VALUES ($1)', [`item-${i}`]);
    const connection = { 'connection.url': `jdbc:postgresql://127.0.0.1:${pg.port}/${pg.database}`, 'connection.user': 'millrace_app', 'connection.attempts': '1' };
    const source = { 'connector.class': 'jdbc-source', ...connection, 'connection.password': `\${file:${pgProps}:password}`, mode: 'incrementing', 'incrementing.column.name': 'id', 'table.whitelist': 'secret_orders', 'topic.prefix': 'pgs-', 'poll.interval.ms': '200' };
    const sink = { 'connector.class': 'jdbc-sink', ...connection, 'connection.password': '${env:SECRETS_IT_PG_PASSWORD}', topics: 'pgs-secret_orders', 'table.name.format': 'secret_orders_copy', 'auto.create': 'true', 'insert.mode': 'insert' };
    expect((await rest.call('POST', '/connectors', { name: 'pg-src', config: source })).status).toBe(201);
    expect((await rest.call('POST', '/connectors', { name: 'pg-sink', config: sink })).status).toBe(201);
    await waitFor('4 rows copied', async () => {
      const exists = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'secret_orders_copy'`);
      return exists.rowCount === 1 && Number((await db.query('SELECT count(*) AS n FROM secret_orders_copy')).rows[0].n) === 4;
    }, 60_000);
    expect((await rest.get('/connectors/pg-src/config')).body).toMatchObject({ 'connection.password': '[hidden]' });

    // The role's password is really checked: a wrong one fails the connector.
    expect((await rest.call('POST', '/connectors', { name: 'pg-wrong', config: { ...source, 'connection.password': wrongPassword, 'topic.prefix': 'pgw-' } })).status).toBe(201);
    const failed = await waitFor('pg-wrong FAILED', async () => {
      const st = await rest.status('pg-wrong');
      return [st.connector, ...st.tasks].some((t) => t.state === 'FAILED') ? st : undefined;
    });
    expect(JSON.stringify(failed)).toContain('password authentication failed');
  });

  test('no REST answer shows a secret', async () => {
    const answers: [string, unknown][] = [];
    for (const c of [...names.map((k) => `src-${k}`), 'pg-src', 'pg-sink', 'pg-wrong']) {
      for (const p of [`/connectors/${c}`, `/connectors/${c}/config`, `/connectors/${c}/tasks`, `/connectors/${c}/status`]) {
        const r = await rest.get(p);
        expect(r.status).toBe(200);
        answers.push([p, r.body]);
      }
      const secretKey = c.startsWith('pg-') ? 'connection.password' : 'fake.secret';
      const cfg = (await rest.get(`/connectors/${c}/config`)).body as Record<string, string>;
      expect(cfg[secretKey]).toBe('[hidden]');
      const tasks = (await rest.get(`/connectors/${c}/tasks`)).body as { config: Record<string, string> }[];
      if (tasks.length > 0 && tasks[0].config[secretKey] !== undefined) expect(tasks[0].config[secretKey]).toBe('[hidden]');
    }
    const expanded = await rest.get('/connectors?expand=info&expand=status');
    expect((expanded.body as Record<string, { info: { config: Record<string, string> } }>)['src-literal'].info.config['fake.secret']).toBe('[hidden]');
    answers.push(['expand', expanded.body]);
    const validate = await rest.call('PUT', '/connector-plugins/FakeSource/config/validate', { ...config('literal'), name: 'v', 'fake.records.per.read': '0' });
    expect(validate.status).toBe(200);
    expect((validate.body as { error_count: number }).error_count).toBe(1);
    answers.push(['validate', validate.body]);
    const noClass = await rest.call('POST', '/connectors', { name: 'no-class', config: { 'fake.secret': secrets.literal, 'connection.password': secrets.literal } });
    expect(noClass.status).toBe(400);
    answers.push(['400 answer', noClass.body]);
    for (const [p, body] of answers) expectNoSecret(p, JSON.stringify(body));
  });

  test('a PUT or PATCH that sends [hidden] back keeps the stored secret', async () => {
    const shown = (await rest.get('/connectors/src-literal/config')).body as Record<string, string>;
    expect(shown['fake.secret']).toBe('[hidden]');
    const put = await rest.call('PUT', '/connectors/src-literal/config', { ...shown, 'fake.max.records': '6' });
    expect(put.status).toBe(200);
    // The restarted task emits 6 more records (positions continue from the committed offset).
    expect(new Set(await headerValues('secrets-literal', 11))).toEqual(new Set([secrets.literal]));
    const patch = await rest.call('PATCH', '/connectors/src-literal/config', { 'fake.secret': '[hidden]', 'fake.max.records': '7' });
    expect(patch.status).toBe(200);
    expect(new Set(await headerValues('secrets-literal', 18))).toEqual(new Set([secrets.literal]));
  });

  test('connect-configs holds envelopes only: placeholders stay placeholders, literals are encrypted', async () => {
    const records = await readAll(kafka, 'connect-configs');
    const cipher = new SecretCipher(key);
    let checked = 0;
    for (const r of records) {
      const text = r.value?.toString() ?? '';
      expectNoSecret(`connect-configs record ${r.key?.toString()}`, text);
      const k = r.key?.toString() ?? '';
      const m = /^(connector|task)-(src-[a-z]+?)(?:-\d+)?$/.exec(k);
      if (!m || text === '') continue;
      const stored = (JSON.parse(text) as { properties: Record<string, string> }).properties['fake.secret'];
      expect(stored.startsWith('$enc:v1:')).toBe(true);
      const kind = m[2].slice('src-'.length) as keyof typeof placeholders;
      expect(cipher.decrypt(stored, `${m[2]}/fake.secret`)).toBe(placeholders[kind]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(names.length * 2);
  });

  test('the worker decrypts after a restart; an unresolvable placeholder fails naming it; no log line has a secret', async () => {
    await connect.restart();
    await rest.call('PATCH', '/connectors/src-literal/config', { 'fake.max.records': '8' });
    expect(new Set(await headerValues('secrets-literal', 26))).toEqual(new Set([secrets.literal]));

    await rest.call('POST', '/connectors', { name: 'src-unset', config: { ...config('env'), 'fake.secret': '${env:SECRETS_IT_UNSET}' } });
    const failed = await waitFor('src-unset FAILED', async () => {
      const s = await rest.status('src-unset');
      return s.connector.state === 'FAILED' ? s : undefined;
    });
    expect(failed.connector.trace).toContain('environment variable SECRETS_IT_UNSET is not set');

    const logs = connect.logs();
    expect(logs).toContain('fake source task config');
    expect(logs).toContain('[hidden]');
    expectNoSecret('the connect logs', logs);
  });
});
