import { createServer, type AddressInfo, type Server, type Socket } from 'net';
import { decodeRequest, encodeResponse, MetadataApi } from '@millrace/protocol';
import { ClusterConnections } from './cluster-connections';

/** A broker answering Metadata only: partition 0 of topic t is led by `leader` (-1: an election under way). */
class MetadataBroker {
  leader = -1;
  metadataRequests = 0;
  private server!: Server;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<string> {
    this.server = createServer((socket) => {
      this.sockets.add(socket);
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
          const frame = buffered.subarray(4, 4 + buffered.readInt32BE(0));
          buffered = buffered.subarray(4 + frame.length);
          const req = decodeRequest(frame);
          this.metadataRequests++;
          socket.write(
            encodeResponse(MetadataApi.apiKey, req.header.apiVersion, req.header.correlationId, {
              brokers: [{ nodeId: 1, host: '127.0.0.1', port: (this.server.address() as AddressInfo).port }],
              controllerId: 1,
              topics: [{ errorCode: 0, name: 't', partitions: [{ errorCode: this.leader < 0 ? 5 : 0, partitionIndex: 0, leaderId: this.leader, replicaNodes: [1], isrNodes: [1] }] }],
            }),
          );
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('ClusterConnections.leaderOf', () => {
  it('asks Metadata again after answering "no leader", so a leader elected meanwhile is found', async () => {
    const broker = new MetadataBroker();
    const cluster = new ClusterConnections([await broker.start()], 'test');
    try {
      await expect(cluster.leaderOf('t', 0)).rejects.toThrow('no leader for t-0');
      broker.leader = 1;
      await expect(cluster.leaderOf('t', 0)).resolves.toBe(1);
      expect(broker.metadataRequests).toBe(2);
      // a known leader is answered from the cache
      await expect(cluster.leaderOf('t', 0)).resolves.toBe(1);
      expect(broker.metadataRequests).toBe(2);
    } finally {
      cluster.close();
      await broker.stop();
    }
  });
});
