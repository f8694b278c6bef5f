import { checkPluginConfig } from '@millrace/connect-sdk/testing';
import { parsePostgresCdcConfig, PostgresCdcConfigError } from './postgres-cdc-config';
import { postgresCdcSourcePlugin } from './postgres-cdc.plugin';

const base = { 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': 'db', 'database.user': 'u', 'database.dbname': 'erp', 'topic.prefix': 'erp' };

describe('postgres-cdc-source config', () => {
  it("applies Debezium's defaults", () => {
    expect(parsePostgresCdcConfig(base)).toMatchObject({
      port: 5432, slotName: 'debezium', publicationName: 'dbz_publication', publicationAutocreateMode: 'all_tables', snapshotMode: 'initial',
      tombstonesOnDelete: true, decimalHandlingMode: 'precise', snapshotMaxThreads: 1, password: null,
    });
  });

  it('names the bad key: missing required keys, unknown modes, slot names Postgres refuses, bad regexes, include with exclude', () => {
    expect(() => parsePostgresCdcConfig({ ...base, 'database.hostname': '' })).toThrow(/database.hostname/);
    expect(() => parsePostgresCdcConfig({ ...base, 'snapshot.mode': 'always' })).toThrow(/snapshot.mode.*must be one of initial, never, initial_only, no_data, when_needed/);
    expect(() => parsePostgresCdcConfig({ ...base, 'slot.name': 'My-Slot' })).toThrow(/slot.name.*lower-case letters/);
    expect(() => parsePostgresCdcConfig({ ...base, 'table.include.list': 'public\\.(orders' })).toThrow(/table.include.list.*not a valid regular expression/);
    expect(() => parsePostgresCdcConfig({ ...base, 'table.include.list': 'a', 'table.exclude.list': 'b' })).toThrow(PostgresCdcConfigError);
  });

  it('signals and operations: Debezium\'s keys and defaults (skipped.operations=t), bad values named', () => {
    const c = parsePostgresCdcConfig(base);
    expect([...c.skippedOperations]).toEqual(['t']);
    expect(c.signalDataCollection).toBeNull();
    expect(c.incrementalSnapshotChunkSize).toBe(1024);
    expect([...parsePostgresCdcConfig({ ...base, 'skipped.operations': 'none' }).skippedOperations]).toEqual([]);
    expect(parsePostgresCdcConfig({ ...base, 'signal.data.collection': 'public.dbz_signal' }).signalDataCollection).toBe('public.dbz_signal');
    expect(() => parsePostgresCdcConfig({ ...base, 'skipped.operations': 't,x' })).toThrow(/skipped.operations.*not x/);
    expect(() => parsePostgresCdcConfig({ ...base, 'signal.data.collection': 'dbz_signal' })).toThrow(/signal.data.collection.*<schema>.<table>/);
  });

  it("the plugin's validation reports the same problems per key", () => {
    expect(checkPluginConfig(postgresCdcSourcePlugin, { ...base, 'decimal.handling.mode': 'fuzzy' })).toEqual({
      'decimal.handling.mode': 'Invalid value fuzzy for configuration decimal.handling.mode: must be one of precise, double, string',
    });
    expect(checkPluginConfig(postgresCdcSourcePlugin, { ...base, 'table.include.list': 'a', 'table.exclude.list': 'b' })).toEqual({
      'table.exclude.list': 'table.include.list and table.exclude.list may not both be set',
    });
    expect(checkPluginConfig(postgresCdcSourcePlugin, { ...base, 'signal.enabled.channels': 'source,kafka' })).toEqual({
      'signal.kafka.bootstrap.servers': expect.stringMatching(/signal.enabled.channels holds kafka: set the bootstrap servers/),
    });
    expect(parsePostgresCdcConfig({ ...base, 'signal.enabled.channels': 'kafka', 'signal.kafka.bootstrap.servers': 'k:9092', 'signal.kafka.topic': 'sig' }).signalKafka).toEqual({ topic: 'sig', bootstrap: ['k:9092'], groupId: 'kafka-signal' });
  });
});
