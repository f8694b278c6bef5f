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

  /**
   * `agree` (cluster mode) settles the id with the rest of the cluster: it gets the local
   * id (and whether it was just created) and returns the cluster's, which must equal an
   * id this data dir already had; a new data dir takes the cluster's.
   */
  static async load(
    dataDir: string,
    nodeId: number,
    host: string,
    port: number,
    agree?: (localId: string, isNew: boolean) => Promise<string>,
  ): Promise<ClusterIdentity> {
    const file = path.join(dataDir, 'meta', 'cluster-id');
    await fs.mkdir(path.dirname(file), { recursive: true });
    let clusterId: string | null = null;
    try {
      clusterId = (await fs.readFile(file, 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const isNew = clusterId === null;
    const candidate = clusterId ?? randomBytes(16).toString('base64url');
    const agreed = agree ? await agree(candidate, isNew) : candidate;
    if (!isNew && agreed !== candidate) {
      throw new Error(`${file} says this data dir belongs to Kafka cluster ${candidate}, but the cluster in etcd is ${agreed}: point MILLRACE_DATA_DIR at this cluster's data, or MILLRACE_CLUSTER_ID / MILLRACE_ETCD_ENDPOINTS at the data's cluster`);
    }
    clusterId = agreed;
    if (isNew) {
      await writeFileAtomically(file, clusterId);
    }
    return new ClusterIdentity(nodeId, host, port, clusterId);
  }
}
