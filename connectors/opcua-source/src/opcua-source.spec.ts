import { alreadyRecorded, toRecord, valueText, type DataChange } from './opcua-record';
import { crossFieldErrors, parseOpcUaSourceConfig } from './opcua-source-config';

describe('opcua-source config', () => {
  const base = { 'opcua.endpoint.url': 'opc.tcp://plc:4840/UA', 'opcua.node.ids': 'ns=2;s=Line1.Temp, ns=2;i=1042', 'kafka.topic': 'plant' };

  it('parses with defaults; the PKI folder goes under the worker data dir', () => {
    const c = parseOpcUaSourceConfig(base, { MILLRACE_DATA_DIR: '/var/lib/millrace' });
    expect(c).toMatchObject({ nodeIds: ['ns=2;s=Line1.Temp', 'ns=2;i=1042'], securityMode: 'None', samplingIntervalMs: 1000, queueSize: 100, deadbandType: 'None', pkiDir: '/var/lib/millrace/opcua-pki' });
  });

  it('names the key of every bad value and combination', () => {
    expect(() => parseOpcUaSourceConfig({ ...base, 'opcua.endpoint.url': 'http://plc' })).toThrow(/opcua\.endpoint\.url/);
    expect(() => parseOpcUaSourceConfig({ ...base, 'opcua.node.ids': 'Temp' })).toThrow(/"Temp" is not a node id/);
    expect(crossFieldErrors({ ...base, 'opcua.node.ids': '' })).toEqual({ 'opcua.node.ids': 'name at least one variable, or set opcua.browse.root' });
    expect(crossFieldErrors({ ...base, 'opcua.security.mode': 'SignAndEncrypt' })).toHaveProperty(['opcua.security.policy']);
    expect(crossFieldErrors({ ...base, 'opcua.password': 'x' })).toHaveProperty(['opcua.username']);
    expect(crossFieldErrors({ ...base, 'opcua.security.mode': 'Sign', 'opcua.security.policy': 'Basic256Sha256' })).toEqual({});
  });
});

describe('opcua-source records', () => {
  const change = (value: unknown, ts: number): DataChange => ({ nodeId: 'ns=2;s=T', dataType: 'Double', value, statusCode: 'Good', statusCodeValue: 0, sourceTimestamp: new Date(ts), serverTimestamp: new Date(ts + 1) });

  it('keys by node id, keeps the source timestamp, stores the position per variable', () => {
    const r = toRecord(change(21.5, 1000), 'opc.tcp://plc:4840', 'plant', 5);
    expect(r).toMatchObject({ key: 'ns=2;s=T', topic: 'plant', timestamp: 1000, sourcePartition: { endpoint: 'opc.tcp://plc:4840', node: 'ns=2;s=T' }, sourceOffset: { source_ts: 1000, value: '21.5' } });
    expect(r.value).toMatchObject({ node_id: 'ns=2;s=T', value: '21.5', value_double: 21.5, status_code: 'Good', source_timestamp: new Date(1000), server_timestamp: new Date(1001) });
  });

  it('text forms of values', () => {
    expect(valueText(true)).toBe('true');
    expect(valueText([1, 2])).toBe('[1,2]');
    expect(valueText(12n)).toBe('12');
    expect(valueText(null)).toBeNull();
  });

  it('drops the repetition of the last recorded value, never a newer change', () => {
    const stored = { source_ts: 1000, value: '21.5' };
    expect(alreadyRecorded(change(21.5, 1000), stored)).toBe(true);
    expect(alreadyRecorded(change(20, 900), stored)).toBe(true);
    expect(alreadyRecorded(change(22, 1000), stored)).toBe(false);
    expect(alreadyRecorded(change(21.5, 1001), stored)).toBe(false);
    expect(alreadyRecorded(change(21.5, 1000), null)).toBe(false);
  });
});
