import { createServer, type AddressInfo, type Server, type Socket } from 'net';
import { decodeRequest, encodeResponse, ErrorCode, InitProducerIdApi, MetadataApi, ProduceApi, readBatchHeader } from '@millrace/protocol';
import { BatchProducer } from './batch-producer';

interface ReceivedBatch {
  baseSequence: number;
  count: number;
  bytes: Buffer;
  answer: number;
}

/**
 * A scripted one-partition broker: the real broker cannot be made to fail one chosen
 * batch with a retriable error while others are in flight, which is what the retry
 * ordering must survive. It checks sequences like Kafka (the next expected one, else
 * OUT_OF_ORDER_SEQUENCE_NUMBER), answers `failFirst` to the first batch it sees, and
 * answers each request after `delayMs`, in order.
 */
class ScriptedBroker {
  readonly received: ReceivedBatch[] = [];
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private expected = 0;
  private logEnd = 0;
  private failures: number[];

  constructor(failures: number[], private readonly delayMs = 15) {
    this.failures = [...failures];
  }

  async start(): Promise<string> {
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + frame.length);
        const response = this.answer(frame);
        chain = chain.then(() => new Promise((r) => setTimeout(r, this.delayMs))).then(() => void socket.write(response));
      }
    });
    socket.on('error', () => undefined);
  }

  private answer(frame: Buffer): Buffer {
    const req = decodeRequest(frame);
    const { correlationId, apiVersion } = req.header;
    const port = (this.server.address() as AddressInfo).port;
    if (req.apiKey === MetadataApi.apiKey) {
      return encodeResponse(MetadataApi.apiKey, apiVersion, correlationId, {
        brokers: [{ nodeId: 1, host: '127.0.0.1', port }],
        controllerId: 1,
        topics: [{ errorCode: 0, name: 't', partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }] }],
      });
    }
    if (req.apiKey === InitProducerIdApi.apiKey) {
      return encodeResponse(InitProducerIdApi.apiKey, apiVersion, correlationId, { throttleTimeMs: 0, errorCode: 0, producerId: 77, producerEpoch: 3 });
    }
    if (req.apiKey !== ProduceApi.apiKey) throw new Error(`unexpected api ${req.apiKey}`);
    const p = req.body.topicData[0].partitionData[0];
    const header = readBatchHeader(p.records!, 0);
    let code: number = this.failures.shift() ?? ErrorCode.NONE;
    if (code === ErrorCode.NONE && header.baseSequence !== this.expected) code = ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER;
    let baseOffset = -1;
    if (code === ErrorCode.NONE) {
      baseOffset = this.logEnd;
      this.logEnd += header.recordsCount;
      this.expected += header.recordsCount;
    }
    this.received.push({ baseSequence: header.baseSequence, count: header.recordsCount, bytes: Buffer.from(p.records!), answer: code });
    return encodeResponse(ProduceApi.apiKey, apiVersion, correlationId, {
      responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: code, baseOffset, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null }] }],
      throttleTimeMs: 0,
    });
  }
}

const records = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${from + i}`.padEnd(40, '.')) }));

describe('BatchProducer retries (scripted broker)', () => {
  it('after a retriable error on a batch with later batches in flight, resends every unacknowledged batch unchanged and in sequence order', async () => {
    const broker = new ScriptedBroker([ErrorCode.NONE, ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    const bootstrap = await broker.start();
    const warnings: string[] = [];
    // A short delivery timeout: a producer that never gets its sequence right fails the test instead of hanging it.
    const producer = new BatchProducer({ bootstrap: [bootstrap], batchBytes: 300, lingerMs: 1, deliveryTimeoutMs: 3000, logger: { warn: (m) => warnings.push(m) } });
    let offsets: number[];
    try {
      const deliveries = [];
      for (let n = 0; n < 60; n += 6) deliveries.push(await producer.append('t', 0, records(n, 6)));
      offsets = (await Promise.all(deliveries.map((d) => d.delivered))).flat();
      await producer.close();
    } finally {
      await broker.stop();
    }

    expect(offsets).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(producer.producerId).toEqual({ id: 77, epoch: 3 });
    const failed = broker.received.find((b) => b.answer === ErrorCode.NOT_LEADER_OR_FOLLOWER)!;
    // Later batches were in flight when it failed, and were refused as out of order ...
    expect(broker.received.some((b) => b.answer === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER)).toBe(true);
    // ... and the accepted batches are exactly the sequence 0..59, each once, in order.
    const accepted = broker.received.filter((b) => b.answer === ErrorCode.NONE);
    let next = 0;
    for (const b of accepted) {
      expect(b.baseSequence).toBe(next);
      next += b.count;
    }
    expect(next).toBe(60);
    // The retry resent the very same bytes (same sequence, same CRC).
    expect(accepted.find((b) => b.baseSequence === failed.baseSequence)!.bytes.equals(failed.bytes)).toBe(true);
    expect(warnings.some((w) => w.includes('NOT_LEADER_OR_FOLLOWER'))).toBe(true);
  });

  it('fails every pending delivery and later appends on a non-retriable error', async () => {
    const broker = new ScriptedBroker([ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
    const bootstrap = await broker.start();
    const producer = new BatchProducer({ bootstrap: [bootstrap], lingerMs: 1 });
    const first = await producer.append('t', 0, records(0, 3));
    await expect(first.delivered).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    await expect(producer.append('t', 0, records(3, 1))).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    await expect(producer.close()).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    await broker.stop();
  });
});
