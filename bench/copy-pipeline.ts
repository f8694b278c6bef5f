import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startBroker, startConnect, startPostgres, type BrokerProcess, type ConnectProcess, type EphemeralPostgres } from '@millrace/testing';
import { processCpuSeconds } from './process-cpu';
import { envInt } from './env-int';
import { RssSampler } from './rss-sampler';
import { formatProfileSummary, summarizeProfile } from './cpu-profile-summary';

/**
 * Benchmark (a) of issue 9: a Postgres table moved to another Postgres database
 *
 *   1. directly: `COPY (SELECT * FROM t) TO STDOUT` piped into `COPY t FROM STDIN`;
 *   2. through Millrace: jdbc-source (incrementing on id) -> broker (Avro, the worker's
 *      default converters against the broker's registry) -> jdbc-sink (upsert on id,
 *      auto.create, COPY into a staging table) -> the other database;
 *
 * in the same run, on the same server (two databases), and reports the time of each and
 * their ratio (direct seconds / pipeline seconds: 1.0 = copy speed). The table is
 * (id bigint PK, name text, amount numeric(10,2), happened timestamptz with microseconds,
 * note text of 60 bytes). Both copies are checked against the source: row count and an
 * all-column checksum (sum of hashtext of every row's text form; the direct copy must
 * match), and whether the pipeline's auto-created column types equal the source's
 * (reported). COPY_PIPELINE_REPO_ROOT runs the broker and connect of another checkout's
 * dist/ (a before/after comparison).
 *
 * Run alone:   npm run build && node -r ./scripts/register-paths.js dist/bench/copy-pipeline.js
 * Settings:    COPY_PIPELINE_ROWS (default 1,000,000), COPY_PIPELINE_BATCH (the source's
 *              batch.max.rows and the sink's batch.size, default 10000),
 *              COPY_PIPELINE_PROFILE=1 (the connect process is CPU-profiled during the
 *              pipeline phase, cpu-profile-hook.ts; the profile's path is printed),
 *              COPY_PIPELINE_LOGS=1 (the connect process's output is printed after the run),
 *              COPY_PIPELINE_PARTITIONS (default 1: the topic is created with that many
 *              partitions before the connectors start, and the sink runs that many
 *              tasks, one per partition, each in its own thread),
 *              COPY_PIPELINE_EXACTLY_ONCE (the worker's MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE:
 *              auto by default, i.e. the source runs exactly once; `disabled` measures
 *              the at-least-once source),
 *              COPY_PIPELINE_STAGED=1 (the sink connector is created only once the source
 *              has put every row in the topic, so each half is timed alone: `stages` in the
 *              figures; the pipeline time is then their sum plus the wait between them).
 *              The connect process inherits the environment: MILLRACE_SINK_CONSUMER=kafkajs
 *              measures the sink on kafkajs instead of the project's GroupConsumer (the default).
 * Progress goes to stderr; `runCopyPipeline` returns the figures (connect-bench.ts prints them).
 */
export interface CopyPipelineFigures {
  readonly rows: number;
  readonly batch: number;
  readonly partitions: number;
  readonly directSeconds: number;
  readonly pipelineSeconds: number;
  /** From the connectors' creation to the first row in the destination (task threads, group join, first batch): the pipeline's fixed start-up cost. */
  readonly firstRowSeconds: number | null;
  /** directSeconds / pipelineSeconds. */
  readonly ratio: number;
  /** The pipeline's destination equals the source in count and all-column checksum. */
  readonly checksumEqual: boolean;
  /** Its auto-created column types (type, precision, scale, datetime precision) equal the source's. */
  readonly typesEqual: boolean;
  /** CPU seconds used during the pipeline phase, per process (null where unreadable). */
  readonly cpu: { readonly connect: number | null; readonly broker: number | null; readonly postgres: number | null };
  /** Peak resident memory of the connect process during the pipeline phase (VmRSS samples and VmHWM). */
  readonly connectPeakRssBytes: number | null;
  readonly profileDir: string | null;
  /**
   * With COPY_PIPELINE_STAGED=1: the source alone (creation to every row in the topic) and the sink alone (creation to every row in the destination), in seconds,
   * and the connect process's CPU seconds during each stage (null where unreadable).
   */
  readonly stages: { readonly sourceSeconds: number; readonly sinkSeconds: number; readonly sourceConnectCpu: number | null; readonly sinkConnectCpu: number | null } | null;
}

export const DDL = `(id BIGINT PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(10,2) NOT NULL, happened TIMESTAMPTZ NOT NULL, note TEXT)`;
export const COLUMNS = 'id, name, amount, happened, note';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Row count and all-column checksum of `table` (as `count/sum of hashtext`). */
export async function digest(db: Client, table: string): Promise<string> {
  const r = await db.query<{ n: string; h: string | null }>(`SELECT count(*) AS n, sum(hashtext(t::text)::bigint) AS h FROM (SELECT ${COLUMNS} FROM ${table}) AS t`);
  return `${r.rows[0].n}/${r.rows[0].h}`;
}

async function columnTypes(db: Client, table: string): Promise<string> {
  const r = await db.query(
    `SELECT column_name, data_type, numeric_precision, numeric_scale, datetime_precision FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name`,
    [table],
  );
  return JSON.stringify(r.rows);
}

async function count(db: Client, table: string): Promise<number> {
  const exists = await db.query('SELECT 1 FROM information_schema.tables WHERE table_name = $1', [table]);
  if (exists.rowCount === 0) return 0;
  return Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
}

/** CPU seconds of the postmaster and its live children (backends, background workers). */
function postgresCpuSeconds(pg: EphemeralPostgres): number | null {
  let postmaster: number;
  try {
    postmaster = Number(fs.readFileSync(path.join(pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return null;
  }
  let total = processCpuSeconds(postmaster);
  if (total === null) return null;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Field 4 (ppid) follows the parenthesised command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === postmaster) total += processCpuSeconds(Number(entry)) ?? 0;
  }
  return total;
}

export async function call(base: string, method: string, url: string, body?: unknown): Promise<void> {
  const res = await fetch(`${base}${url}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The broker's bytes appended to and fetched from `topic` (its /metrics counters); null when unreadable. */
async function brokerTopicBytes(httpBase: string, topic: string): Promise<{ in: number; out: number } | null> {
  try {
    const text = await (await fetch(`${httpBase}/metrics`)).text();
    const value = (name: string): number => Number(new RegExp(`^${name}\\{topic="${topic}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    const r = { in: value('millrace_topic_bytes_in_total'), out: value('millrace_topic_bytes_out_total') };
    return Number.isFinite(r.in) && Number.isFinite(r.out) ? r : null;
  } catch {
    return null;
  }
}

/** Creates the benchmark table `t` with `rows` rows in `admin`'s database; returns its digest. */
export async function loadSourceTable(admin: Client, rows: number): Promise<string> {
  await admin.query(`CREATE TABLE t ${DDL}`);
  await admin.query(
    `INSERT INTO t SELECT i, 'name-' || i, ((i::bigint * 7919) % 10000000)::numeric / 100,
            timestamptz '2024-01-01 00:00:00.000001+00' + (i || ' milliseconds')::interval + ((i % 1000) || ' microseconds')::interval,
            rpad('note ' || i || ' ', 60, 'x')
       FROM generate_series(1, $1::int) AS i`,
    [rows],
  );
  await admin.query('VACUUM ANALYZE t');
  return digest(admin, 't');
}

/** The direct pipe: `COPY (SELECT ...) TO STDOUT` on `reader` into a new table `t` of `destination` with `COPY FROM STDIN`; its seconds. */
export async function directCopy(reader: Client, destination: Client): Promise<number> {
  await destination.query(`CREATE TABLE t ${DDL}`);
  const start = process.hrtime.bigint();
  await pipeline(reader.query(copyTo(`COPY (SELECT ${COLUMNS} FROM t) TO STDOUT`)), destination.query(copyFrom(`COPY t (${COLUMNS}) FROM STDIN`)));
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export async function runCopyPipeline(): Promise<CopyPipelineFigures> {
  const rows = envInt('COPY_PIPELINE_ROWS', 1_000_000);
  const batch = envInt('COPY_PIPELINE_BATCH', 10_000);
  const partitions = envInt('COPY_PIPELINE_PARTITIONS', 1);
  const staged = process.env['COPY_PIPELINE_STAGED'] === '1';
  const profileDir = process.env['COPY_PIPELINE_PROFILE'] === '1' ? fs.mkdtempSync(path.join(os.tmpdir(), 'millrace-connect-prof-')) : null;
  let broker: BrokerProcess | undefined;
  let pg: EphemeralPostgres | undefined;
  let connect: ConnectProcess | undefined;
  const clients: Client[] = [];
  try {
    log('copy-pipeline: starting broker and Postgres...');
    const repoRoot = process.env['COPY_PIPELINE_REPO_ROOT'] || undefined;
    [broker, pg] = await Promise.all([startBroker({ repoRoot, env: { MILLRACE_GROUP_INITIAL_REBALANCE_DELAY_MS: '200' } }), startPostgres()]);
    const admin = new Client({ connectionString: pg.connectionString });
    clients.push(admin);
    await admin.connect();
    await admin.query('CREATE DATABASE direct_dst');
    await admin.query('CREATE DATABASE pipeline_dst');
    const dbUrl = (db: string) => `postgres://${pg!.user}@${pg!.host}:${pg!.port}/${db}`;
    const direct = new Client({ connectionString: dbUrl('direct_dst') });
    const warehouse = new Client({ connectionString: dbUrl('pipeline_dst') });
    clients.push(direct, warehouse);
    await Promise.all([direct.connect(), warehouse.connect()]);

    log(`copy-pipeline: loading ${rows} rows...`);
    const expected = await loadSourceTable(admin, rows);

    log('copy-pipeline: direct COPY TO STDOUT | COPY FROM STDIN...');
    const reader = new Client({ connectionString: pg.connectionString });
    clients.push(reader);
    await reader.connect();
    const directSeconds = await directCopy(reader, direct);
    if ((await digest(direct, 't')) !== expected) throw new Error('the direct copy differs from the source');
    log(`copy-pipeline: direct copy ${directSeconds.toFixed(2)} s`);

    const registryUrl = `http://127.0.0.1:${broker.httpPort}`;
    connect = await startConnect({
      repoRoot,
      bootstrap: broker.bootstrap,
      registryUrl,
      env: {
        ...(profileDir ? { NODE_OPTIONS: `--require ${path.join(__dirname, 'cpu-profile-hook.js')}`, MILLRACE_CPU_PROFILE_DIR: profileDir } : {}),
        ...(process.env.COPY_PIPELINE_EXACTLY_ONCE ? { MILLRACE_CONNECT_EXACTLY_ONCE_SOURCE: process.env.COPY_PIPELINE_EXACTLY_ONCE } : {}),
      },
    });
    const jdbc = (db: string) => `jdbc:postgresql://${pg!.host}:${pg!.port}/${db}?user=${pg!.user}`;
    const cpuBefore = { connect: processCpuSeconds(connect.pid ?? -1), broker: processCpuSeconds(broker.pid ?? -1), postgres: postgresCpuSeconds(pg) };
    log('copy-pipeline: jdbc-source -> broker -> jdbc-sink...');
    if (profileDir) {
      fs.writeFileSync(path.join(profileDir, 'start'), '');
      await new Promise((r) => setTimeout(r, 200));
    }
    const kafkaAdmin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: [{ topic: 'bench-t', numPartitions: partitions }] });
    // The topic's end offsets in the progress lines show which half leads: the source (topic far ahead of the destination) or the sink.
    const topicEnd = async (): Promise<number> => (await kafkaAdmin.fetchTopicOffsets('bench-t')).reduce((sum, p) => sum + Number(p.high), 0);
    const rss = new RssSampler(connect.pid ?? -1);
    rss.start();
    const pipelineStart = process.hrtime.bigint();
    await call(connect.url, 'POST', '/connectors', {
      name: 'bench-source',
      config: {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector',
        'connection.url': jdbc(pg.database),
        mode: 'incrementing',
        'incrementing.column.name': 'id',
        'table.whitelist': 't',
        'topic.prefix': 'bench-',
        'poll.interval.ms': '200',
        'batch.max.rows': String(batch),
        // The Connect millisecond mapping (what the source emitted before time.precision.mode) loses the microseconds.
        ...(process.env['COPY_PIPELINE_TIME_MODE'] ? { 'time.precision.mode': process.env['COPY_PIPELINE_TIME_MODE'] } : {}),
      },
    });
    let stages: CopyPipelineFigures['stages'] = null;
    if (staged) {
      // Every row is in the topic once the end offset (records + one marker per transaction) reaches the row count and stops moving.
      let end = -1;
      await waitUntil(
        'every row in the topic',
        async () => {
          const now = await topicEnd().catch(() => -1);
          const settled = now >= rows && now === end;
          end = now;
          return settled;
        },
        30 * 60_000,
        250,
      );
      const sourceCpuEnd = processCpuSeconds(connect.pid ?? -1);
      const sourceConnectCpu = sourceCpuEnd === null || cpuBefore.connect === null ? null : sourceCpuEnd - cpuBefore.connect;
      stages = { sourceSeconds: Number(process.hrtime.bigint() - pipelineStart) / 1e9 - 0.25, sinkSeconds: 0, sourceConnectCpu, sinkConnectCpu: null };
      log(`copy-pipeline: source alone ${stages.sourceSeconds.toFixed(2)} s (topic end offset ${end})`);
    }
    const sinkStart = process.hrtime.bigint();
    const sinkCpuStart = processCpuSeconds(connect.pid ?? -1);
    await call(connect.url, 'POST', '/connectors', {
      name: 'bench-sink',
      config: {
        'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector',
        'connection.url': jdbc('pipeline_dst'),
        topics: 'bench-t',
        'table.name.format': 't',
        'auto.create': 'true',
        'insert.mode': 'upsert',
        'pk.mode': 'record_value',
        'pk.fields': 'id',
        'batch.size': String(batch),
        'tasks.max': String(partitions),
      },
    });
    let last = 0;
    let firstRowSeconds: number | null = null;
    await waitUntil(
      'every row in the destination',
      async () => {
        const n = await count(warehouse, 't');
        if (n > 0 && firstRowSeconds === null) firstRowSeconds = Number(process.hrtime.bigint() - pipelineStart) / 1e9;
        if (n - last >= rows / 10) {
          const end = await topicEnd().catch(() => NaN);
          log(`  ${n} rows after ${(Number(process.hrtime.bigint() - pipelineStart) / 1e9).toFixed(1)} s (topic end offset ${end}: records and transaction markers)`);
          last = n;
        }
        return n >= rows;
      },
      30 * 60_000,
      200,
    );
    const pipelineSeconds = Number(process.hrtime.bigint() - pipelineStart) / 1e9;
    if (stages) {
      const sinkCpuEnd = processCpuSeconds(connect.pid ?? -1);
      stages = { ...stages, sinkSeconds: Number(process.hrtime.bigint() - sinkStart) / 1e9, sinkConnectCpu: sinkCpuEnd === null || sinkCpuStart === null ? null : sinkCpuEnd - sinkCpuStart };
      log(`copy-pipeline: sink alone ${stages.sinkSeconds.toFixed(2)} s`);
    }
    await kafkaAdmin.disconnect();
    const connectPeakRssBytes = rss.stop().peakBytes;
    const cpuAfter = { connect: processCpuSeconds(connect.pid ?? -1), broker: processCpuSeconds(broker.pid ?? -1), postgres: postgresCpuSeconds(pg) };
    const delta = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
    if (profileDir && connect.pid !== undefined) {
      fs.writeFileSync(path.join(profileDir, 'stop'), '');
      const file = path.join(profileDir, `${connect.pid}.cpuprofile`);
      await waitUntil('the connect CPU profile', async () => fs.existsSync(file), 60_000);
      // Task threads write theirs next to it (cpu-profile-hook.ts); give them a moment.
      await new Promise((r) => setTimeout(r, 1000));
      for (const f of fs.readdirSync(profileDir).filter((x) => x.endsWith('.cpuprofile'))) log(formatProfileSummary(summarizeProfile(path.join(profileDir, f), 15)));
    }
    const topicBytes = await brokerTopicBytes(`http://127.0.0.1:${broker.httpPort}`, 'bench-t');
    if (topicBytes) log(`copy-pipeline: topic bench-t: ${topicBytes.in} bytes appended, ${topicBytes.out} bytes fetched (${(topicBytes.out / topicBytes.in).toFixed(2)}x)`);
    const checksumEqual = (await digest(warehouse, 't')) === expected;
    const [srcTypes, dstTypes] = [await columnTypes(admin, 't'), await columnTypes(warehouse, 't')];
    const typesEqual = srcTypes === dstTypes;
    if (!typesEqual) log(`copy-pipeline: column types differ: source ${srcTypes}, destination ${dstTypes}`);
    log(`copy-pipeline: pipeline ${pipelineSeconds.toFixed(2)} s`);
    if (process.env['COPY_PIPELINE_LOGS'] === '1') log(`--- connect output ---\n${connect.logs()}`);
    return {
      rows,
      batch,
      partitions,
      directSeconds,
      pipelineSeconds,
      firstRowSeconds,
      ratio: directSeconds / pipelineSeconds,
      checksumEqual,
      typesEqual,
      cpu: { connect: delta(cpuBefore.connect, cpuAfter.connect), broker: delta(cpuBefore.broker, cpuAfter.broker), postgres: delta(cpuBefore.postgres, cpuAfter.postgres) },
      connectPeakRssBytes,
      profileDir,
      stages,
    };
  } catch (err) {
    if (connect) log(`--- connect output (tail) ---\n${connect.logs().slice(-3000)}`);
    throw err;
  } finally {
    for (const c of clients) await c.end().catch(() => undefined);
    await connect?.stop().catch(() => undefined);
    await Promise.all([broker?.stop().catch(() => undefined), pg?.stop().catch(() => undefined)]);
  }
}

/** The figures as a markdown table. */
export function formatCopyPipeline(f: CopyPipelineFigures): string {
  const cpu = (s: number | null): string => (s === null ? 'n/a' : `${s.toFixed(1)} s (${((s / f.pipelineSeconds) * 100).toFixed(0)}% of a core)`);
  const perRow = (s: number | null): string => (s === null ? 'n/a' : `${((s / f.rows) * 1e6).toFixed(1)} us CPU per row`);
  return [
    `PG -> PG, ${f.rows.toLocaleString('en-US')} rows (id, text, numeric(10,2), timestamptz, 60-byte note); batch ${f.batch}; ${f.partitions} partition(s), sink tasks.max ${f.partitions}`,
    `pipeline destination: count + all-column checksum ${f.checksumEqual ? 'equal' : 'DIFFERENT'}, column types ${f.typesEqual ? 'equal' : 'DIFFERENT'}`,
    '',
    '| path | seconds | rows/s |',
    '| --- | ---: | ---: |',
    `| direct COPY TO STDOUT -> COPY FROM STDIN | ${f.directSeconds.toFixed(2)} | ${Math.round(f.rows / f.directSeconds).toLocaleString('en-US')} |`,
    `| jdbc-source -> broker -> jdbc-sink | ${f.pipelineSeconds.toFixed(2)} | ${Math.round(f.rows / f.pipelineSeconds).toLocaleString('en-US')} |`,
    `| **ratio (direct / pipeline)** | **${f.ratio.toFixed(3)}x** | |`,
    '',
    ...(f.stages
      ? [
          `staged: source alone ${f.stages.sourceSeconds.toFixed(2)} s (${Math.round(f.rows / f.stages.sourceSeconds).toLocaleString('en-US')} rows/s, connect ${perRow(f.stages.sourceConnectCpu)}), sink alone ${f.stages.sinkSeconds.toFixed(2)} s (${Math.round(f.rows / f.stages.sinkSeconds).toLocaleString('en-US')} rows/s, connect ${perRow(f.stages.sinkConnectCpu)}), both from their connector's creation`,
          '',
        ]
      : []),
    `first row in the destination after ${f.firstRowSeconds === null ? 'n/a' : `${f.firstRowSeconds.toFixed(1)} s`} (start-up: task threads, group join, first batch)`,
    '',
    `CPU during the pipeline: connect ${cpu(f.cpu.connect)}, broker ${cpu(f.cpu.broker)}, postgres ${cpu(f.cpu.postgres)}`,
    `connect: ${f.cpu.connect === null ? 'n/a' : `${((f.cpu.connect / f.rows) * 1e6).toFixed(1)} us CPU per row`}, peak RSS ${f.connectPeakRssBytes === null ? 'n/a' : `${(f.connectPeakRssBytes / 2 ** 20).toFixed(0)} MiB`}`,
    ...(f.profileDir ? [`connect CPU profile: ${f.profileDir}`] : []),
    '',
  ].join('\n');
}

if (require.main === module) {
  runCopyPipeline()
    .then((f) => process.stdout.write(formatCopyPipeline(f)))
    .catch((err: unknown) => {
      process.stderr.write(`copy-pipeline failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}
