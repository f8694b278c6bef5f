import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConnectProcess } from '@millrace/testing';
import type { Kafka } from 'kafkajs';
import { SecretCipher } from '../src/secrets/secret-cipher';
import { ConnectRest, waitFor } from './support/connect-rest';
import { PLAIN_CONVERTERS, useConnectWorker } from './support/connect-worker';
import { readAll } from './support/kafka';

/**
 * Secrets (issue 8): config providers resolve in running tasks, the stored config keeps
 * the placeholder, PASSWORD values are `[hidden]` in every REST answer and log line, a
 * `[hidden]` sent back keeps the stored value, and with MILLRACE_CONNECT_SECRETS_KEY the
 * connect-configs topic holds only AES-GCM envelopes. FakeSource sends its resolved
 * `fake.secret` as a record header, so the test sees what the task received.
 */
describe('connect secrets', () => {
  const key = randomBytes(32);
  const secrets = { env: 'env-secret-Zq81x', file: 'file-secret-Kp27y', directory: 'dir-secret-Wm55z', literal: 'literal-secret-Hx93w' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-secrets-it-'));
  const propsFile = path.join(dir, 'db.properties');
  fs.writeFileSync(propsFile, `# database\nuser = app\npassword = ${secrets.file}\n`);
  fs.mkdirSync(path.join(dir, 'mounted'));
  fs.writeFileSync(path.join(dir, 'mounted', 'db-password'), secrets.directory);
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
  const allSecrets = Object.values(secrets);
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
    { env: { MILLRACE_CONNECT_SECRETS_KEY: key.toString('base64'), SECRETS_IT_PASSWORD: secrets.env } },
  );
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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

  test('no REST answer shows a secret', async () => {
    const answers: [string, unknown][] = [];
    for (const kind of names) {
      const c = `src-${kind}`;
      for (const p of [`/connectors/${c}`, `/connectors/${c}/config`, `/connectors/${c}/tasks`, `/connectors/${c}/status`]) {
        const r = await rest.get(p);
        expect(r.status).toBe(200);
        answers.push([p, r.body]);
      }
      const cfg = (await rest.get(`/connectors/${c}/config`)).body as Record<string, string>;
      expect(cfg['fake.secret']).toBe('[hidden]');
      const tasks = (await rest.get(`/connectors/${c}/tasks`)).body as { config: Record<string, string> }[];
      expect(tasks[0].config['fake.secret']).toBe('[hidden]');
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
