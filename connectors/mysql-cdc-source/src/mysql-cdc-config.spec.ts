import { crossFieldErrors, MySqlCdcConfigError, parseMySqlCdcConfig } from './mysql-cdc-config';

describe('mysql-cdc config', () => {
  const base = { 'database.hostname': 'db', 'database.user': 'cdc', 'database.server.id': '5400', 'topic.prefix': 'erp' };

  it("applies Debezium's defaults", () => {
    expect(parseMySqlCdcConfig(base)).toMatchObject({
      port: 3306, password: null, serverId: 5400, snapshotMode: 'initial', snapshotLockingMode: 'minimal', tombstonesOnDelete: true,
      decimalHandlingMode: 'precise', timePrecisionMode: 'adaptive_time_microseconds', heartbeatIntervalMs: 0, databaseInclude: [], tableInclude: [],
    });
  });

  it('refuses bad values naming the key and what is allowed', () => {
    expect(() => parseMySqlCdcConfig({ ...base, 'snapshot.mode': 'sometimes' })).toThrow(/snapshot\.mode.*initial, never, initial_only, no_data, when_needed/);
    expect(() => parseMySqlCdcConfig({ ...base, 'snapshot.locking.mode': 'extended' })).toThrow(/snapshot\.locking\.mode.*minimal, none/);
    expect(() => parseMySqlCdcConfig({ ...base, 'database.server.id': '0' })).toThrow(/database\.server\.id/);
    expect(() => parseMySqlCdcConfig({ ...base, 'table.include.list': 'shop\\.(orders' })).toThrow(/table\.include\.list.*regular expression/);
    expect(() => parseMySqlCdcConfig({ ...base, 'topic.prefix': 'erp prod' })).toThrow(/topic\.prefix/);
    const { 'database.server.id': _omitted, ...noId } = base;
    expect(() => parseMySqlCdcConfig(noId)).toThrow(MySqlCdcConfigError);
    expect(() => parseMySqlCdcConfig(noId)).toThrow(/database\.server\.id/);
  });

  it('include and exclude lists of one kind may not both be set', () => {
    expect(crossFieldErrors({ ...base, 'column.include.list': 'a', 'column.exclude.list': 'b' })).toEqual({ 'column.exclude.list': 'column.include.list and column.exclude.list may not both be set' });
    expect(() => parseMySqlCdcConfig({ ...base, 'table.include.list': 'a\\.b', 'table.exclude.list': 'a\\.c' })).toThrow('Invalid configuration table.exclude.list: table.include.list and table.exclude.list may not both be set');
  });

  it('signals: the signal table, and the Kafka channel with its bootstrap servers', () => {
    expect(parseMySqlCdcConfig(base)).toMatchObject({ signalDataCollection: null, incrementalSnapshotChunkSize: 1024, signalKafka: null });
    expect(() => parseMySqlCdcConfig({ ...base, 'signal.data.collection': 'nodot' })).toThrow(/signal\.data\.collection.*database\.table/);
    const kafka = { ...base, 'signal.enabled.channels': 'source,kafka' };
    expect(crossFieldErrors(kafka)).toEqual({ 'signal.kafka.bootstrap.servers': expect.stringMatching(/set the bootstrap servers/) });
    expect(() => parseMySqlCdcConfig({ ...base, 'signal.enabled.channels': 'source,jmx' })).toThrow(/signal\.enabled\.channels.*source and kafka/);
    expect(parseMySqlCdcConfig({ ...kafka, 'signal.kafka.bootstrap.servers': 'k1:9092, k2:9092' }).signalKafka).toEqual({ topic: 'erp-signal', bootstrap: ['k1:9092', 'k2:9092'], groupId: 'kafka-signal' });
  });
});
