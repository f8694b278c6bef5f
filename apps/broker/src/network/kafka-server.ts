import { createServer, type Server } from 'net';
import { Connection, type ConnectionLogger, type ConnectionOptions } from './connection';
import type { RequestDispatcher } from './request-dispatcher';

/**
 * The Kafka protocol TCP listener. Owns the set of live connections; closing the
 * server closes them all.
 */
export class KafkaServer {
  private server: Server | null = null;
  private nextConnectionId = 1;
  private readonly connections = new Set<Connection>();

  constructor(
    private readonly dispatcher: RequestDispatcher,
    private readonly options: ConnectionOptions,
    private readonly logger: ConnectionLogger,
  ) {}

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(host: string, port: number): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => {
      const connection = new Connection(socket, this.nextConnectionId++, this.dispatcher, this.options, this.logger, (c) =>
        this.connections.delete(c),
      );
      this.connections.add(connection);
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.connections) c.close();
    await closed;
  }
}
