import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { ErrorCode } from '@millrace/protocol';
import type { LogConfig } from '@millrace/storage';
import { loadBrokerConfig, type BrokerConfig } from './broker-config';
import { DynamicBrokerConfig } from './dynamic-broker-config';

describe('DynamicBrokerConfig', () => {
  let dir: string;
  let config: BrokerConfig;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dyn-'));
    config = loadBrokerConfig({ MILLRACE_DATA_DIR: dir, MILLRACE_NUM_PARTITIONS: '3', MILLRACE_LOG_SEGMENT_BYTES: '1048576' });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const entry = (dyn: DynamicBrokerConfig, name: string, level: 'broker' | 'cluster' = 'broker') => dyn.describe(level, [name])[0];

  it('describes static configs read-only and dynamic ones with their origin', async () => {
    const dyn = await DynamicBrokerConfig.load(config);
    expect(entry(dyn, 'num.partitions')).toEqual({ name: 'num.partitions', value: '3', readOnly: true, origin: 'static' });
    expect(entry(dyn, 'log.segment.bytes')).toEqual({ name: 'log.segment.bytes', value: '1048576', readOnly: false, origin: 'static' });
    expect(entry(dyn, 'log.retention.ms')).toEqual({ name: 'log.retention.ms', value: '604800000', readOnly: false, origin: 'default' });
    expect(entry(dyn, 'log.message.format.version')).toMatchObject({ value: '3.0-IV1', origin: 'default' });
    expect(dyn.describe('cluster', null)).toEqual([]);
  });

  it('refuses static configs with a clear error, changing nothing', async () => {
    const dyn = await DynamicBrokerConfig.load(config);
    const r = await dyn.alter('broker', { 'num.partitions': '5', 'log.retention.ms': '1000' }, false, false);
    expect(r.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(r.errorMessage).toBe('Cannot update these configs dynamically: num.partitions (set MILLRACE_NUM_PARTITIONS and restart the broker)');
    expect(entry(dyn, 'log.retention.ms').origin).toBe('default');
  });

  it('refuses unknown names and bad values naming the broker config', async () => {
    const dyn = await DynamicBrokerConfig.load(config);
    expect(await dyn.alter('broker', { 'no.such.thing': '1' }, false, false)).toEqual({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown broker config name(s): no.such.thing' });
    const bad = await dyn.alter('broker', { 'log.retention.ms': 'soon' }, false, false);
    expect(bad.errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad.errorMessage).toMatch(/"soon" for configuration log\.retention\.ms/);
    const inconsistent = await dyn.alter('broker', { 'log.cleaner.min.compaction.lag.ms': '100', 'log.cleaner.max.compaction.lag.ms': '10' }, false, false);
    expect(inconsistent.errorCode).toBe(ErrorCode.INVALID_CONFIG);
  });

  it('applies a dynamic value at once, persists it, and per-broker wins over the cluster default', async () => {
    const dyn = await DynamicBrokerConfig.load(config);
    const seen: LogConfig[] = [];
    dyn.onLogDefaultsChange((c) => seen.push(c));
    expect(await dyn.alter('cluster', { 'log.retention.ms': '5000', 'log.message.format.version': '2.8' }, false, false)).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null });
    expect(dyn.logDefaults.retentionMs).toBe(5000);
    expect(await dyn.alter('broker', { 'log.retention.ms': '7000' }, false, false)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(seen.map((c) => c.retentionMs)).toEqual([5000, 7000]);
    expect(entry(dyn, 'log.retention.ms')).toMatchObject({ value: '7000', origin: 'broker' });
    expect(entry(dyn, 'log.retention.ms', 'cluster')).toMatchObject({ value: '5000', origin: 'cluster' });
    expect(dyn.dynamicOriginOfTopicDefault('retention.ms')).toBe('broker');
    expect(dyn.dynamicOriginOfTopicDefault('message.format.version')).toBe('cluster');
    expect(dyn.dynamicOriginOfTopicDefault('segment.bytes')).toBeNull();
    expect(dyn.logDefaults.segmentBytes).toBe(1048576);

    const reloaded = await DynamicBrokerConfig.load(config);
    expect(reloaded.logDefaults.retentionMs).toBe(7000);
    expect(entry(reloaded, 'log.message.format.version')).toMatchObject({ value: '2.8', origin: 'cluster' });

    // Incremental delete of the per-broker value falls back to the cluster default.
    await reloaded.alter('broker', { 'log.retention.ms': null }, false, false);
    expect(reloaded.logDefaults.retentionMs).toBe(5000);
  });

  it('validateOnly changes nothing; replace (AlterConfigs) drops values not given', async () => {
    const dyn = await DynamicBrokerConfig.load(config);
    await dyn.alter('broker', { 'log.retention.ms': '5000', 'log.retention.bytes': '100' }, false, false);
    expect((await dyn.alter('broker', { 'log.retention.ms': '1' }, false, true)).errorCode).toBe(ErrorCode.NONE);
    expect(dyn.logDefaults.retentionMs).toBe(5000);
    await dyn.alter('broker', { 'log.retention.bytes': '200' }, true, false);
    expect(dyn.logDefaults.retentionMs).toBe(604800000);
    expect(dyn.logDefaults.retentionBytes).toBe(200);
  });

  it('drops stored values that are no longer valid, with a warning', async () => {
    mkdirSync(path.join(dir, 'meta'), { recursive: true });
    writeFileSync(path.join(dir, 'meta', 'broker-configs.json'), JSON.stringify({ version: 1, broker: { 'log.retention.ms': 'x', 'log.roll.ms': '60000' }, cluster: {} }));
    const dyn = await DynamicBrokerConfig.load(config);
    expect(dyn.logDefaults.segmentMs).toBe(60000);
    expect(dyn.warnings).toHaveLength(1);
    expect(dyn.warnings[0]).toMatch(/dropped broker config log\.retention\.ms/);
  });
});
