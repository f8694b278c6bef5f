import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProtocolDecodeError } from './codec/decode-error';
import {
  decodeRequest,
  decodeResponse,
  encodeApiVersionsUnsupportedResponse,
  encodeRequest,
  encodeResponse,
  encodeResponseChunks,
  isRequestFor,
  peekRequestHeader,
} from './header';
import { ApiVersionsApi, FetchApi, MetadataApi, ProduceApi } from './messages';
import { UnsupportedVersionError } from './unsupported-version-error';

function fixture(name: string): Buffer {
  return Buffer.from(readFileSync(join(__dirname, '__fixtures__', `${name}.hex`), 'utf8').trim(), 'hex');
}

/** Re-encodes a decoded request and expects the captured bytes back. */
function expectReencodes(frame: Buffer): void {
  const req = decodeRequest(frame);
  const again = encodeRequest(req.header.apiKey, req.header.apiVersion, req.header.correlationId, req.header.clientId, req.body as never);
  expect(again.subarray(4).toString('hex')).toBe(frame.toString('hex'));
}

describe('golden frames captured from real clients', () => {
  it('librdkafka 2.0.2 ApiVersions v3 (header v2, compact strings, tagged fields)', () => {
    const frame = fixture('librdkafka-2.0.2-api-versions-v3');
    const req = decodeRequest(frame);
    expect(req.header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka' });
    expect(req.api).toBe(ApiVersionsApi);
    expect(req.body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    expectReencodes(frame);
  });

  it('librdkafka 2.0.2 Metadata v4: empty, null and one-topic lists', () => {
    const brokersOnly = decodeRequest(fixture('librdkafka-2.0.2-metadata-v4-brokers-only'));
    expect(brokersOnly.body).toMatchObject({ topics: [], allowAutoTopicCreation: false });
    const all = decodeRequest(fixture('librdkafka-2.0.2-metadata-v4-all-topics'));
    expect(all.header).toEqual({ apiKey: 3, apiVersion: 4, correlationId: 3, clientId: 'rdkafka' });
    expect(all.body).toMatchObject({ topics: null, allowAutoTopicCreation: true });
    const one = decodeRequest(fixture('librdkafka-2.0.2-metadata-v4-one-topic'));
    expect(isRequestFor(one, MetadataApi) && one.body.topics?.map((t) => t.name)).toEqual(['golden']);
    for (const name of ['brokers-only', 'all-topics', 'one-topic']) expectReencodes(fixture(`librdkafka-2.0.2-metadata-v4-${name}`));
  });

  it.each(['librdkafka-2.0.2-produce-v7', 'kafkajs-2.2.4-produce-v7'])('%s: records are a zero-copy view', (name) => {
    const frame = fixture(name);
    const req = decodeRequest(frame);
    if (!isRequestFor(req, ProduceApi)) throw new Error('expected Produce');
    expect(req.header.apiVersion).toBe(7);
    expect(req.body).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
    expect(req.body.topicData).toHaveLength(1);
    const [topic] = req.body.topicData;
    expect(topic.name).toBe('golden');
    const records = topic.partitionData[0].records;
    if (records === null) throw new Error('expected records');
    expect(topic.partitionData[0].index).toBe(0);
    expect(records.buffer).toBe(frame.buffer);
    expect(records.readInt32BE(8)).toBe(records.length - 12); // batchLength
    expect(records[16]).toBe(2); // magic
    expectReencodes(frame);
  });

  it('kafkajs 2.2.4 ApiVersions v2 and Metadata v6', () => {
    const av = decodeRequest(fixture('kafkajs-2.2.4-api-versions-v2'));
    expect(av.header).toEqual({ apiKey: 18, apiVersion: 2, correlationId: 0, clientId: 'golden-kafkajs' });
    expect(av.body).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' });
    const md = decodeRequest(fixture('kafkajs-2.2.4-metadata-v6'));
    expect(md.header).toEqual({ apiKey: 3, apiVersion: 6, correlationId: 1, clientId: 'golden-kafkajs' });
    expect(md.body).toEqual({
      topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'golden' }],
      allowAutoTopicCreation: false,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    expectReencodes(fixture('kafkajs-2.2.4-api-versions-v2'));
    expectReencodes(fixture('kafkajs-2.2.4-metadata-v6'));
  });

  it('every prefix of every captured frame is rejected with ProtocolDecodeError', () => {
    for (const name of [
      'librdkafka-2.0.2-api-versions-v3',
      'librdkafka-2.0.2-metadata-v4-one-topic',
      'librdkafka-2.0.2-produce-v7',
      'kafkajs-2.2.4-api-versions-v2',
      'kafkajs-2.2.4-metadata-v6',
      'kafkajs-2.2.4-produce-v7',
    ]) {
      const frame = fixture(name);
      for (let i = 0; i < frame.length; i++) {
        expect(() => decodeRequest(frame.subarray(0, i))).toThrow(ProtocolDecodeError);
      }
    }
  });
});

describe('request header', () => {
  it('narrows the decoded request type by apiKey', () => {
    const req = decodeRequest(fixture('kafkajs-2.2.4-produce-v7'));
    let topics: string[] = [];
    switch (req.apiKey) {
      case ProduceApi.apiKey:
        topics = req.body.topicData.map((t) => t.name);
        break;
      case MetadataApi.apiKey:
        topics = (req.body.topics ?? []).map((t) => t.name ?? '');
        break;
      default:
        break;
    }
    expect(topics).toEqual(['golden']);
  });

  it('peeks the fixed 8 bytes and rejects shorter frames', () => {
    expect(peekRequestHeader(Buffer.from('0012000300000007', 'hex'))).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7 });
    expect(() => peekRequestHeader(Buffer.from('00120003', 'hex'))).toThrow(ProtocolDecodeError);
  });

  it('throws UnsupportedVersionError carrying the header for unknown keys and versions', () => {
    const unknown = Buffer.from('03e7000000000005ffff', 'hex');
    expect(() => decodeRequest(unknown)).toThrow(UnsupportedVersionError);
    const tooNew = Buffer.from('0012000700000009ffff', 'hex');
    try {
      decodeRequest(tooNew);
      throw new Error('expected failure');
    } catch (e) {
      expect(e).toBeInstanceOf(UnsupportedVersionError);
      expect(e).toMatchObject({ reason: 'unsupported-version', apiKey: 18, apiVersion: 7, correlationId: 9 });
    }
  });

  it('skips unknown tagged fields in request header v2', () => {
    // ApiVersions v3, correlation 1, clientId "a", header tags {5: "xyz"}, body "n" "v", no body tags.
    const frame = Buffer.from('00120003000000010001610105037879 7a 026e 0276 00'.replace(/ /g, ''), 'hex');
    const req = decodeRequest(frame);
    expect(req.header.clientId).toBe('a');
    expect(req.body).toEqual({ clientSoftwareName: 'n', clientSoftwareVersion: 'v' });
  });
});

describe('response framing', () => {
  it('uses response header v0 for ApiVersions even at v3 (no header tagged fields)', () => {
    const frame = encodeResponse(18, 3, 5, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] });
    // size, correlationId, errorCode, compact array(1), entry + its tags, throttle, body tags
    expect(frame.toString('hex')).toBe('00000013' + '00000005' + '0000' + '02' + '001200000003' + '00' + '00000000' + '00');
  });

  it('uses response header v1 (tagged fields byte) for flexible versions of other APIs', () => {
    const frame = encodeResponse(12, 4, 6, { throttleTimeMs: 0, errorCode: 0 });
    expect(frame.toString('hex')).toBe('0000000c' + '00000006' + '00' + '00000000' + '0000' + '00');
    const v0 = encodeResponse(12, 0, 6, { errorCode: 27 });
    expect(v0.toString('hex')).toBe('00000006' + '00000006' + '001b');
  });

  it('encodes the ApiVersions v0 UNSUPPORTED_VERSION error response', () => {
    const frame = encodeApiVersionsUnsupportedResponse(9, [{ apiKey: 18, minVersion: 0, maxVersion: 3 }]);
    expect(frame.toString('hex')).toBe('00000010' + '00000009' + '0023' + '00000001' + '001200000003');
  });

  it('passes Fetch records through by reference in encodeResponseChunks', () => {
    const records = Buffer.alloc(64 * 1024, 1);
    const body = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          topic: 'golden',
          partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 10, lastStableOffset: 10, logStartOffset: 0, abortedTransactions: null, records }],
        },
      ],
    };
    for (const version of [4, 11, 12, 16]) {
      const chunks = encodeResponseChunks(FetchApi.apiKey, version, 77, body);
      expect(chunks).toContain(records);
      const joined = Buffer.concat(chunks);
      expect(joined.readInt32BE(0)).toBe(joined.length - 4);
      expect(joined).toEqual(encodeResponse(FetchApi.apiKey, version, 77, body));
      const decoded = decodeResponse(FetchApi.apiKey, version, joined.subarray(4));
      expect(decoded.correlationId).toBe(77);
      expect(decoded.body.responses[0].partitions[0].records).toEqual(records);
    }
  });
});
