import type { ConfigImportance } from '../config/config-def';
import { type ConnectorPlugin, type ConnectorType, type SinkTask, type SourceTask, topicPartitionKey } from '../connector/connector';
import type { SourceRecord } from '../record/connect-record';
import type { PluginAcceptanceHarness, SinkAcceptanceHarness, SourceAcceptanceHarness } from './acceptance-harness';
import { checkPluginConfig, parsePluginConfig } from './plugin-config-check';
import { stableJson, testConnectorContext, testSinkTaskContext, testSourceTaskContext } from './test-contexts';
import { errorMessage } from '@millrace/app-common';

/**
 * The checks of the connector acceptance suites as plain async functions: each resolves
 * when the plugin honours that part of the contract and rejects with an
 * `AcceptanceFailure` saying what is wrong. The `describe*ConnectorAcceptance` functions
 * wrap them in jest tests; they can also be called directly.
 */
export class AcceptanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AcceptanceFailure';
  }
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AcceptanceFailure(message);
}

const IMPORTANCES: readonly ConfigImportance[] = ['HIGH', 'MEDIUM', 'LOW'];

/** name, aliases, type, version and a documented ConfigDef. */
export async function checkPluginMetadata(plugin: ConnectorPlugin, type: ConnectorType): Promise<void> {
  check(typeof plugin.name === 'string' && plugin.name.trim() !== '', 'plugin.name must be a non-empty string');
  check(Array.isArray(plugin.aliases), 'plugin.aliases must be an array');
  check(plugin.type === type, `plugin.type must be "${type}", got "${String(plugin.type)}"`);
  check(/^\d+\.\d+\.\d+/.test(plugin.version), `plugin.version must look like a version (x.y.z), got "${plugin.version}"`);
  const names = new Set<string>();
  for (const key of plugin.configDef.keys) {
    check(!names.has(key.name), `config key ${key.name} is declared twice`);
    names.add(key.name);
    check(typeof key.documentation === 'string' && key.documentation.trim() !== '', `config key ${key.name} has no documentation`);
    check(IMPORTANCES.includes(key.importance), `config key ${key.name} has no valid importance (HIGH, MEDIUM, LOW)`);
  }
}

/**
 * The valid config passes validation, and removing any required key (one without a
 * default) present in it yields an error on that key whose message names the key.
 */
export async function checkRequiredKeysValidated(harness: PluginAcceptanceHarness): Promise<void> {
  const validate = harness.validate ?? checkPluginConfig;
  const valid = await validate(harness.plugin, harness.config);
  check(Object.keys(valid).length === 0, `the harness config must be valid, got errors: ${JSON.stringify(valid)}`);
  for (const key of harness.plugin.configDef.keys) {
    if (key.default !== undefined || harness.config[key.name] === undefined) continue;
    const without: Record<string, string> = { ...harness.config };
    delete without[key.name];
    const errors = await validate(harness.plugin, without);
    const message = errors[key.name];
    check(message !== undefined, `a config without required key ${key.name} must be rejected on that key; errors: ${JSON.stringify(errors)}`);
    check(message.includes(key.name), `the error for missing key ${key.name} must name it, got: ${message}`);
  }
}

/** The connector starts, returns 1..maxTasks string-map task configs, and stops. */
export async function checkTaskConfigs(harness: PluginAcceptanceHarness): Promise<Record<string, string>[]> {
  const maxTasks = harness.maxTasks ?? 3;
  const connector = harness.plugin.createConnector();
  const context = testConnectorContext();
  await connector.start(harness.config, (harness.parse ?? parsePluginConfig)(harness.plugin, harness.config), context);
  try {
    const configs = await connector.taskConfigs(maxTasks);
    check(Array.isArray(configs) && configs.length >= 1 && configs.length <= maxTasks, `taskConfigs(${maxTasks}) must return 1..${maxTasks} configs, got ${configs.length}`);
    for (const c of configs) {
      check(Object.values(c).every((v) => typeof v === 'string'), `task configs must be string maps, got ${JSON.stringify(c)}`);
    }
    check(context.raisedErrors.length === 0, `the connector raised errors: ${context.raisedErrors.map((e) => e.message).join('; ')}`);
    return configs;
  } finally {
    await connector.stop();
  }
}

/** The single task config for `maxTasks=1` (the task sees all of the data). */
async function singleTaskConfig(harness: PluginAcceptanceHarness): Promise<Record<string, string>> {
  const configs = await checkTaskConfigs({ ...harness, maxTasks: 1 });
  return configs[0];
}

function checkSourceRecord(record: SourceRecord): void {
  check(typeof record.topic === 'string' && record.topic !== '', 'a source record must have a topic');
  for (const field of ['sourcePartition', 'sourceOffset'] as const) {
    const value = record[field];
    check(typeof value === 'object' && value !== null && !Array.isArray(value), `${field} must be a JSON object`);
    let roundTrip: string;
    try {
      roundTrip = stableJson(JSON.parse(JSON.stringify(value)));
    } catch (e) {
      throw new AcceptanceFailure(`${field} must be JSON-serialisable: ${errorMessage(e)}`);
    }
    check(roundTrip === stableJson(value), `${field} must survive a JSON round trip unchanged: ${stableJson(value)}`);
  }
}

/** Reads until `count` records arrived or the timeout passed; checks each record. */
async function readRecords(task: SourceTask, count: number, timeoutMs: number): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) {
    const batch = await task.read(Math.max(1, count - records.length));
    check(Array.isArray(batch), 'read must return an array');
    for (const r of batch) checkSourceRecord(r);
    records.push(...batch);
  }
  return records;
}

function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

function sameSet(actual: readonly string[], expected: readonly string[], what: string): void {
  const dup = duplicates(actual);
  check(dup.length === 0, `${what}: duplicates ${JSON.stringify(dup.slice(0, 10))}`);
  const want = new Set(expected);
  const missing = expected.filter((id) => !actual.includes(id));
  const extra = actual.filter((id) => !want.has(id));
  check(missing.length === 0 && extra.length === 0, `${what}: missing ${JSON.stringify(missing.slice(0, 10))}, unexpected ${JSON.stringify(extra.slice(0, 10))}`);
}

/**
 * A fresh task reads every inserted row exactly once, with JSON-serialisable source
 * partitions and offsets; ack succeeds; teardown succeeds and is idempotent.
 */
export async function checkSourceReadAckTeardown(harness: SourceAcceptanceHarness): Promise<void> {
  await harness.prepare();
  const taskConfig = await singleTaskConfig(harness);
  const ids = await harness.insertRows(5);
  const task = harness.plugin.createTask() as SourceTask;
  await task.open(taskConfig, testSourceTaskContext());
  try {
    const records = await readRecords(task, ids.length, harness.readTimeoutMs ?? 15000);
    sameSet(records.map((r) => harness.recordId(r)), ids, 'first read');
    await task.ack(records);
  } finally {
    await task.teardown();
  }
  await task.teardown();
}

/**
 * Resume: a task reads rows and only the first half is acked; a new task opened with the
 * last acked offset of each source partition reads the rest plus rows inserted since —
 * every row exactly once overall (no duplicates, no gaps), and nothing more.
 */
export async function checkSourceResume(harness: SourceAcceptanceHarness): Promise<void> {
  await harness.prepare();
  const timeout = harness.readTimeoutMs ?? 15000;
  const taskConfig = await singleTaskConfig(harness);
  const first = await harness.insertRows(6);

  const taskA = harness.plugin.createTask() as SourceTask;
  await taskA.open(taskConfig, testSourceTaskContext());
  let acked: SourceRecord[];
  try {
    const read = await readRecords(taskA, first.length, timeout);
    sameSet(read.map((r) => harness.recordId(r)), first, 'first task');
    acked = read.slice(0, Math.floor(read.length / 2));
    await taskA.ack(acked);
  } finally {
    await taskA.teardown();
  }

  const committed = new Map<string, Readonly<Record<string, unknown>>>();
  for (const r of acked) committed.set(stableJson(r.sourcePartition), JSON.parse(JSON.stringify(r.sourceOffset)) as Record<string, unknown>);
  const ackedIds = acked.map((r) => harness.recordId(r));
  const second = await harness.insertRows(4);
  const expected = [...first.filter((id) => !ackedIds.includes(id)), ...second];

  const taskB = harness.plugin.createTask() as SourceTask;
  await taskB.open(taskConfig, testSourceTaskContext(committed));
  try {
    const read = await readRecords(taskB, expected.length, timeout);
    const more = await taskB.read(100);
    const ids = [...read, ...more].map((r) => harness.recordId(r));
    const replayed = ids.filter((id) => ackedIds.includes(id));
    check(replayed.length === 0, `resumed task re-read acked rows ${JSON.stringify(replayed.slice(0, 10))}`);
    sameSet(ids, expected, 'resumed task');
    await taskB.ack(read);
  } finally {
    await taskB.teardown();
  }
}

async function openSink(harness: SinkAcceptanceHarness, taskConfig: Record<string, string>): Promise<{ task: SinkTask; offsets: ReadonlyMap<string, number | null> }> {
  const task = harness.plugin.createTask() as SinkTask;
  await task.open(taskConfig, testSinkTaskContext());
  const offsets = await task.partitionsAssigned([harness.topicPartition]);
  check(offsets instanceof Map, 'partitionsAssigned must return a Map');
  return { task, offsets };
}

/** Records written then flushed are durably in the destination, once each. */
export async function checkSinkWriteFlush(harness: SinkAcceptanceHarness): Promise<void> {
  await harness.prepare();
  const taskConfig = await singleTaskConfig(harness);
  const { task } = await openSink(harness, taskConfig);
  try {
    const records = harness.makeRecords(harness.topicPartition, 0, 5);
    await task.write(records.slice(0, 2));
    await task.write(records.slice(2));
    await task.flush();
    const stored = await harness.storedIds();
    const ids = records.map((r) => harness.recordId(r));
    sameSet(stored.filter((id) => ids.includes(id)), ids, 'stored after flush');
  } finally {
    await task.teardown();
  }
}

/**
 * After a flush, a new task's `partitionsAssigned` has an entry for the partition: the
 * next offset to read (last flushed + 1) for an exactly-once sink, null or a number
 * otherwise. Writing on from there stores each record once.
 */
export async function checkSinkPartitionsAssigned(harness: SinkAcceptanceHarness): Promise<void> {
  await harness.prepare();
  const taskConfig = await singleTaskConfig(harness);
  const tp = harness.topicPartition;
  const key = topicPartitionKey(tp);
  const firstBatch = harness.makeRecords(tp, 0, 4);
  const a = await openSink(harness, taskConfig);
  try {
    await a.task.write(firstBatch);
    await a.task.flush();
    await a.task.partitionsRevoked([tp]);
  } finally {
    await a.task.teardown();
  }
  const b = await openSink(harness, taskConfig);
  try {
    check(b.offsets.has(key), `partitionsAssigned must return an entry for ${key}`);
    const offset = b.offsets.get(key);
    if (harness.exactlyOnce) check(offset === 4, `an exactly-once sink must return offset 4 (last flushed 3 + 1) for ${key}, got ${String(offset)}`);
    else check(offset === null || typeof offset === 'number', `partitionsAssigned values must be numbers or null, got ${String(offset)}`);
    const next = typeof offset === 'number' ? offset : 4;
    const secondBatch = harness.makeRecords(tp, next, 3);
    await b.task.write(secondBatch);
    await b.task.flush();
    const ids = [...firstBatch, ...secondBatch].map((r) => harness.recordId(r));
    const stored = await harness.storedIds();
    sameSet(stored.filter((id) => ids.includes(id)), ids, 'stored after resume');
  } finally {
    await b.task.teardown();
  }
}

/** teardown may be called twice, and right after open. */
export async function checkSinkTeardownIdempotent(harness: SinkAcceptanceHarness): Promise<void> {
  const taskConfig = await singleTaskConfig(harness);
  const task = harness.plugin.createTask() as SinkTask;
  await task.open(taskConfig, testSinkTaskContext());
  await task.teardown();
  await task.teardown();
}
