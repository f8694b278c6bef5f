import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { writeFileAtomically } from '@millrace/storage';

/**
 * Who this broker is: node id, advertised endpoint and the cluster id.
 * The cluster id (Kafka's 22-char base64url Uuid) is created on first start and kept in
 * `<dataDir>/meta/cluster-id` (plain text, written with fsync + rename), so it stays
 * the same across restarts.
 */
export class ClusterIdentity {
  constructor(
    readonly nodeId: number,
    readonly host: string,
    readonly port: number,
    readonly clusterId: string,
  ) {}

  static async load(dataDir: string, nodeId: number, host: string, port: number): Promise<ClusterIdentity> {
    const file = path.join(dataDir, 'meta', 'cluster-id');
    await fs.mkdir(path.dirname(file), { recursive: true });
    let clusterId: string;
    try {
      clusterId = (await fs.readFile(file, 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      clusterId = randomBytes(16).toString('base64url');
      await writeFileAtomically(file, clusterId);
    }
    return new ClusterIdentity(nodeId, host, port, clusterId);
  }
}
