import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { buildBatch, decodeResponse, encodeRequest, ErrorCode } from '@millrace/protocol';
import { httpGetStatus, isProcessAlive, type BrokerProcess } from '@millrace/testing';
import { rssBytes, startTestBroker } from './support/broker';
import { Prng, testSeed, uniqueName } from './support/data';
import { createTopic, makeKafka } from './support/kafka';
import { RawConnection } from './support/raw-connection';
import { delay, waitFor } from './support/wait-for';

const MAX_REQUEST_BYTES = 1024 * 1024;

/** A request frame (size prefix included) with an arbitrary header and raw body bytes. */
function rawFrame(apiKey: number, apiVersion: number, correlationId: number, clientId: string, body: Buffer, flexibleHeader = false): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const header = Buffer.alloc(8 + 2 + id.length + (flexibleHeader ? 1 : 0));
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(id.length, 8);
  id.copy(header, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(header.length + body.length, 0);
  return Buffer.concat([size, header, body]);
}

/** Valid request frames of many APIs, the seeds of the fuzzer. No destructive admin APIs. */
function seedFrames(topic: string): Buffer[] {
  const batch = buildBatch({ baseOffset: 0, records: [{ key: Buffer.from('fk'), value: Buffer.from('fuzz-value'), timestamp: Date.now() }] });
  const c = 1000;
  return [
    encodeRequest(18, 0, c, 'fuzz', {}),
    encodeRequest(18, 2, c, 'fuzz', {}),
    encodeRequest(18, 3, c, 'fuzz', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' }),
    encodeRequest(3, 1, c, 'fuzz', { topics: null }),
    encodeRequest(3, 4, c, 'fuzz', { topics: [{ name: topic }], allowAutoTopicCreation: false }),
    encodeRequest(3, 6, c, 'fuzz', { topics: [{ name: topic }, { name: 'nope' }], allowAutoTopicCreation: false }),
    encodeRequest(0, 3, c, 'fuzz', { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] }),
    encodeRequest(0, 7, c, 'fuzz', { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] }),
    encodeRequest(1, 4, c, 'fuzz', { maxWaitMs: 0, minBytes: 0, maxBytes: 65536, isolationLevel: 1, topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 65536 }] }] }),
    encodeRequest(1, 11, c, 'fuzz', {
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 65536,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 65536 }] }],
      forgottenTopicsData: [],
      rackId: '',
    }),
    encodeRequest(2, 1, c, 'fuzz', { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2 }] }] }),
    encodeRequest(2, 3, c, 'fuzz', { replicaId: -1, isolationLevel: 1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1 }] }] }),
    encodeRequest(9, 1, c, 'fuzz', { groupId: 'fuzz-g', topics: [{ name: topic, partitionIndexes: [0] }] }),
    encodeRequest(9, 5, c, 'fuzz', { groupId: 'fuzz-g', topics: null }),
    encodeRequest(10, 0, c, 'fuzz', { key: 'fuzz-g' }),
    encodeRequest(10, 2, c, 'fuzz', { key: 'fuzz-g', keyType: 0 }),
    encodeRequest(11, 5, c, 'fuzz', {
      groupId: 'fuzz-g',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]) }],
    }),
    encodeRequest(12, 3, c, 'fuzz', { groupId: 'fuzz-g', generationId: 1, memberId: 'nobody' }),
    encodeRequest(14, 3, c, 'fuzz', { groupId: 'fuzz-g', generationId: 1, memberId: 'nobody', assignments: [] }),
    encodeRequest(13, 1, c, 'fuzz', { groupId: 'fuzz-g', memberId: 'nobody' }),
    encodeRequest(13, 3, c, 'fuzz', { groupId: 'fuzz-g', members: [{ memberId: 'nobody' }] }),
    encodeRequest(15, 2, c, 'fuzz', { groups: ['fuzz-g'] }),
    encodeRequest(16, 2, c, 'fuzz', {}),
    encodeRequest(8, 2, c, 'fuzz', {
      groupId: 'fuzz-g',
      generationIdOrMemberEpoch: -1,
      memberId: '',
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 1, committedMetadata: null }] }],
    }),
    encodeRequest(32, 1, c, 'fuzz', { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }] }),
    encodeRequest(22, 1, c, 'fuzz', { transactionalId: null, transactionTimeoutMs: 60_000 }),
    encodeRequest(17, 1, c, 'fuzz', { mechanism: 'PLAIN' }),
  ];
}

const BOUNDARY_INT32 = [0, -1, 1, 0x7fffffff, -0x80000000, 0x7fff, 0x8000, 0xffff, 1 << 20];

interface Mutated {
  bytes: Buffer;
  /** The declared size exceeds what was sent (and is acceptable): the broker waits for more. */
  incomplete: boolean;
}

/** Mutates the frame body (header included) with 1-4 random edits, then picks a size prefix. */
function mutate(rng: Prng, frame: Buffer): Mutated {
  let body = Buffer.from(frame.subarray(4));
  const edits = 1 + rng.int(4);
  for (let e = 0; e < edits; e++) {
    const pos = body.length === 0 ? 0 : rng.int(body.length);
    switch (rng.int(7)) {
      case 0: // bit flip
        if (body.length > 0) body[pos] ^= 1 << rng.int(8);
        break;
      case 1: // random byte
        if (body.length > 0) body[pos] = rng.int(256);
        break;
      case 2: // insert random bytes
        body = Buffer.concat([body.subarray(0, pos), rng.bytes(1 + rng.int(8)), body.subarray(pos)]);
        break;
      case 3: // delete a range
        body = Buffer.concat([body.subarray(0, pos), body.subarray(Math.min(body.length, pos + 1 + rng.int(8)))]);
        break;
      case 4: // truncate
        body = body.subarray(0, pos);
        break;
      case 5: // boundary int32 (hits lengths and counts)
        if (pos + 4 <= body.length) body.writeInt32BE(rng.pick(BOUNDARY_INT32) | 0, pos);
        break;
      default: // boundary int16
        if (pos + 2 <= body.length) body.writeInt16BE(rng.pick([0, -1, 0x7fff, -0x8000, 1]), pos);
        break;
    }
  }
  const size = Buffer.alloc(4);
  const mode = rng.int(20);
  if (mode === 0 && body.length > 1) {
    // declared smaller than sent: the rest becomes the start of another frame
    size.writeInt32BE(body.length - 1 - rng.int(Math.min(body.length - 1, 16)), 0);
    return { bytes: Buffer.concat([size, body]), incomplete: false };
  }
  if (mode === 1) {
    // declared larger, padded with random bytes to the declared size
    const pad = rng.bytes(1 + rng.int(64));
    size.writeInt32BE(body.length + pad.length, 0);
    return { bytes: Buffer.concat([size, body, pad]), incomplete: false };
  }
  if (mode === 2) {
    const declared = rng.pick([-1, 0, 3, 7, 0x7fffffff, MAX_REQUEST_BYTES + 1, body.length + 1000, rng.int(2 ** 31)]) | 0;
    size.writeInt32BE(declared, 0);
    return { bytes: Buffer.concat([size, body]), incomplete: declared > body.length && declared <= MAX_REQUEST_BYTES && declared >= 8 };
  }
  size.writeInt32BE(body.length, 0);
  return { bytes: Buffer.concat([size, body]), incomplete: false };
}

describe('bad input on the Kafka port', () => {
  let broker: BrokerProcess;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const healthyTopic = uniqueName('healthy');
  const healthySent: string[] = [];
  const healthyReceived = new Set<string>();
  const healthyErrors: string[] = [];
  let stopHealthy = false;
  let healthyLoop: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    broker = await startTestBroker('bad-input', {
      MILLRACE_SOCKET_REQUEST_MAX_BYTES: String(MAX_REQUEST_BYTES),
      MILLRACE_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    kafka = makeKafka(broker.bootstrap);
    admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, healthyTopic, 2);
    producer = kafka.producer();
    await producer.connect();
    consumer = kafka.consumer({ groupId: uniqueName('healthy-g'), maxWaitTimeInMs: 100, heartbeatInterval: 1000 });
    consumer.on(consumer.events.CRASH, (e) => healthyErrors.push(`consumer crash: ${String(e.payload.error)}`));
    await consumer.connect();
    await consumer.subscribe({ topics: [healthyTopic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        healthyReceived.add(message.value!.toString());
      },
    });
    healthyLoop = (async () => {
      let i = 0;
      while (!stopHealthy) {
        const value = `h-${i++}`;
        try {
          await producer.send({ topic: healthyTopic, messages: [{ key: value, value }] });
          healthySent.push(value);
        } catch (err) {
          healthyErrors.push(`produce ${value}: ${String(err)}`);
        }
        await delay(20); // pacing
      }
    })();
    await waitFor('healthy client flowing', () => healthyReceived.size >= 5, { timeoutMs: 60_000 });
  });

  afterAll(async () => {
    stopHealthy = true;
    await healthyLoop;
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    await broker?.stop();
  });

  /** Healthy traffic keeps flowing: more messages get through end to end. */
  async function healthyStillFlows(): Promise<void> {
    const target = healthySent.length + 5;
    await waitFor('healthy client still producing and consuming', () => healthySent.length >= target && healthySent.slice(0, target).every((v) => healthyReceived.has(v)), {
      timeoutMs: 30_000,
      describe: () => `sent=${healthySent.length} received=${healthyReceived.size} errors=${healthyErrors.slice(-3).join('; ')}`,
    });
  }

  async function apiVersionsOk(conn: RawConnection, correlationId: number): Promise<void> {
    conn.write(encodeRequest(18, 2, correlationId, 'bystander', {}));
    const frame = await conn.nextFrame(5000);
    if (!Buffer.isBuffer(frame)) throw new Error(`bystander connection: ${frame}`);
    const res = decodeResponse(18, 2, frame);
    expect(res.correlationId).toBe(correlationId);
    expect(res.body.errorCode).toBe(ErrorCode.NONE);
  }

  const validMetadata = encodeRequest(3, 6, 7, 'bad', { topics: [{ name: 'x'.repeat(40) }], allowAutoTopicCreation: false });
  const cases: Array<[string, () => Buffer[]]> = [
    [
      'random bytes',
      () => {
        const rng = new Prng(0xbad);
        const bytes = rng.bytes(4096);
        // If the random size prefix is acceptable, complete the frame so the broker need not wait.
        const declared = bytes.readInt32BE(0);
        const missing = declared >= 8 && declared <= MAX_REQUEST_BYTES ? declared - (bytes.length - 4) : 0;
        return missing > 0 ? [bytes, rng.bytes(missing)] : [bytes];
      },
    ],
    [
      'random bytes in a well-sized frame',
      () => {
        const rng = new Prng(0xbad1);
        const body = rng.bytes(200);
        body.writeInt16BE(0x7abc, 0); // an API key no broker serves
        const size = Buffer.alloc(4);
        size.writeInt32BE(body.length, 0);
        return [size, body];
      },
    ],
    [
      'a frame over socket.request.max.bytes',
      () => {
        const size = Buffer.alloc(4);
        size.writeInt32BE(MAX_REQUEST_BYTES + 1, 0);
        return [size, Buffer.alloc(1000, 1)];
      },
    ],
    ['a negative frame size', () => [Buffer.from([0xff, 0xff, 0xff, 0xf0, 0, 0, 0, 0])]],
    ['an unknown API key', () => [rawFrame(999, 0, 1, 'bad', Buffer.alloc(16))]],
    ['an unsupported version of Metadata', () => [rawFrame(3, 99, 2, 'bad', Buffer.from([0xff, 0xff, 0xff, 0xff]))]],
    ['an unsupported version of Produce', () => [rawFrame(0, 200, 3, 'bad', Buffer.alloc(20))]],
    [
      'a truncated request (size matches, body cut)',
      () => {
        const cut = Buffer.from(validMetadata.subarray(0, validMetadata.length - 12));
        cut.writeInt32BE(cut.length - 4, 0);
        return [cut];
      },
    ],
    ['a header cut inside the client id', () => [Buffer.concat([Buffer.from([0, 0, 0, 12]), validMetadata.subarray(4, 16)])]],
  ];

  test.each(cases)('%s: closes only that connection', async (_name, bytes) => {
    const bystander = await RawConnection.open(broker.host, broker.kafkaPort);
    await apiVersionsOk(bystander, 1);
    const bad = await RawConnection.open(broker.host, broker.kafkaPort);
    for (const b of bytes()) bad.write(b);
    expect(await bad.waitClosed(10_000)).toBe(true);
    expect(bad.pendingBytes).toBe(0); // no answer, just the close (as Kafka)
    await apiVersionsOk(bystander, 2);
    expect(bystander.isClosed).toBe(false);
    bystander.destroy();
    await healthyStillFlows();
  });

  test('a request cut short and then half-closed by the client gets its connection closed', async () => {
    const bad = await RawConnection.open(broker.host, broker.kafkaPort);
    bad.write(validMetadata.subarray(0, validMetadata.length - 10)); // size prefix promises 10 more bytes
    expect(await bad.waitClosed(300)).toBe(false); // still waiting for the rest
    bad.end();
    expect(await bad.waitClosed(10_000)).toBe(true);
    await healthyStillFlows();
  });

  test('ApiVersions at an unsupported version (v99) gets a v0 answer with UNSUPPORTED_VERSION and the connection stays usable', async () => {
    const conn = await RawConnection.open(broker.host, broker.kafkaPort);
    // Header v2 (flexible, as a newer client would send) and a v3-style body.
    const body = Buffer.from([5, ...Buffer.from('fuzz'), 4, ...Buffer.from('1.0'), 0]);
    conn.write(rawFrame(18, 99, 4242, 'future-client', body, true));
    const frame = await conn.nextFrame(5000);
    expect(Buffer.isBuffer(frame)).toBe(true);
    const res = decodeResponse(18, 0, frame as Buffer);
    expect(res.correlationId).toBe(4242);
    expect(res.body.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(res.body.errorCode).toBe(35);
    expect(res.body.apiKeys).toEqual(expect.arrayContaining([{ apiKey: 18, minVersion: 0, maxVersion: 3 }]));
    // The client then retries at a version the broker supports, on the same connection.
    conn.write(encodeRequest(18, 3, 4243, 'future-client', { clientSoftwareName: 'fuzz', clientSoftwareVersion: '1.0' }));
    const again = await conn.nextFrame(5000);
    expect(Buffer.isBuffer(again)).toBe(true);
    const ok = decodeResponse(18, 3, again as Buffer);
    expect(ok.correlationId).toBe(4243);
    expect(ok.body.errorCode).toBe(ErrorCode.NONE);
    expect(ok.body.apiKeys.find((k) => k.apiKey === 0)).toEqual(expect.objectContaining({ apiKey: 0 }));
    conn.destroy();
  });

  // 20,000 in npm test; `npm run soak` raises it (MILLRACE_FUZZ_FRAMES=1000000).
  const fuzzFrames = Number(process.env.MILLRACE_FUZZ_FRAMES ?? 20_000);
  test(`fuzz: ${fuzzFrames.toLocaleString('en')} mutated frames; the broker stays alive, serves clients, and its memory stays bounded`, async () => {
    const seed = testSeed('bad-input fuzz');
    const rng = new Prng(seed);
    const fuzzTopic = uniqueName('fuzz');
    await createTopic(admin, fuzzTopic, 1);
    const seeds = seedFrames(fuzzTopic);
    // The seeds themselves are valid: the broker answers or (unsupported API) closes, nothing else.
    const pid = broker.pid!;
    const rssBefore = rssBytes(pid);

    const total = fuzzFrames;
    const concurrency = 8;
    // Generated in pick order (frame i is always the i-th drawn), so the sequence does not
    // depend on scheduling, and a million frames are never all held at once.
    const frames = { length: total, take: (): Mutated => mutate(rng, rng.pick(seeds)) };
    const stats = { sent: 0, answered: 0, closedByBroker: 0, noAnswer: 0, incomplete: 0, connections: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      let conn: RawConnection | null = null;
      while (next < frames.length) {
        next++;
        const frame = frames.take();
        if (conn === null || conn.isClosed) {
          conn = await RawConnection.open(broker.host, broker.kafkaPort);
          stats.connections++;
        }
        conn.write(frame.bytes);
        stats.sent++;
        if (frame.incomplete) {
          stats.incomplete++;
          conn.destroy();
          conn = null;
          continue;
        }
        const outcome = await conn.nextFrame(1000);
        if (outcome === 'closed') stats.closedByBroker++;
        else if (outcome === 'timeout') {
          stats.noAnswer++; // acks=0, a long fetch wait, or a desynchronised stream
          conn.destroy();
          conn = null;
        } else stats.answered++;
      }
      conn?.destroy();
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    const rssAfter = rssBytes(pid);
    process.stdout.write(
      `[bad-input fuzz] seed=${seed} ${JSON.stringify(stats)} in ${Date.now() - started} ms; RSS ${Math.round(rssBefore / 2 ** 20)} -> ${Math.round(rssAfter / 2 ** 20)} MiB\n`,
    );

    expect(stats.sent).toBeGreaterThanOrEqual(10_000);
    expect(broker.pid).toBe(pid);
    expect(isProcessAlive(pid)).toBe(true);
    expect(await httpGetStatus(`http://${broker.host}:${broker.httpPort}/health`)).toBe(200);
    expect(rssAfter - rssBefore).toBeLessThan(200 * 1024 * 1024);
    if (total >= 1_000_000) expect(rssAfter).toBeLessThan(2 * rssBefore);

    // A real client is served: a fresh producer/consumer round trip plus the background one.
    const fresh = makeKafka(broker.bootstrap, 'after-fuzz');
    const p = fresh.producer();
    await p.connect();
    const topic = uniqueName('after-fuzz');
    await createTopic(admin, topic, 1);
    await p.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ value: `af-${i}` })) });
    await p.disconnect();
    const c = fresh.consumer({ groupId: uniqueName('after-fuzz-g'), maxWaitTimeInMs: 100 });
    const got: string[] = [];
    await c.connect();
    try {
      await c.subscribe({ topics: [topic], fromBeginning: true });
      await c.run({
        eachMessage: async ({ message }) => {
          got.push(message.value!.toString());
        },
      });
      await waitFor('20 after-fuzz records', () => got.length >= 20);
    } finally {
      await c.disconnect();
    }
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `af-${i}`));
    await healthyStillFlows();
  });

  test('the healthy client never saw an error and got every message', async () => {
    stopHealthy = true;
    await healthyLoop;
    await waitFor('every healthy message consumed', () => healthySent.every((v) => healthyReceived.has(v)), { timeoutMs: 30_000 });
    expect(healthyErrors).toEqual([]);
    expect(healthySent.length).toBeGreaterThan(50);
  });
});
