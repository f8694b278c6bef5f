import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { writeJsonAtomically } from '@millrace/storage';

/** One topic as the broker knows it. Partition ids are 0..partitions-1. */
export interface TopicMetadata {
  name: string;
  /** 16-byte topic id in Kafka's Uuid text form: URL-safe base64, no padding (22 chars). */
  topicId: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level config overrides (string values, as AlterConfigs carries them). */
  configs: Record<string, string>;
  internal: boolean;
  /**
   * Cluster mode, topics of the cluster catalogue only: the replica assignment from etcd
   * (replicas[p] = broker ids, preferred leader first); absent for a topic this broker
   * owns alone (single broker; a cluster's broker-local internal topics).
   */
  replicas?: number[][];
}

/**
 * The durable catalogue of topics: name, id, partition count and config overrides.
 *
 * File: `<dataDir>/meta/topics.json`, a JSON document `{ "version": 1, "topics": [TopicMetadata...] }`.
 * Every change rewrites it as `topics.json.tmp`, fsyncs, renames over the old file and
 * fsyncs the directory, so a crash leaves either the old or the new catalogue, whole.
 * Changes are serialised: `update` runs one mutation at a time.
 */
export class TopicStore {
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataDir: string) {
    this.file = path.join(dataDir, 'meta', 'topics.json');
  }

  async load(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    const doc = JSON.parse(text) as { version: number; topics: TopicMetadata[] };
    if (doc.version !== 1) throw new Error(`${this.file}: unknown catalogue version ${doc.version}`);
    for (const t of doc.topics) this.topics.set(t.name, t);
  }

  get(name: string): TopicMetadata | undefined {
    return this.topics.get(name);
  }

  byId(topicId: string): TopicMetadata | undefined {
    for (const t of this.topics.values()) if (t.topicId === topicId) return t;
    return undefined;
  }

  all(): TopicMetadata[] {
    return [...this.topics.values()];
  }

  /** Applies `mutate` to a copy of the catalogue and persists it before the change becomes visible. */
  update<T>(mutate: (topics: Map<string, TopicMetadata>) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const next = new Map([...this.topics].map(([k, v]) => [k, { ...v, configs: { ...v.configs } }]));
      const result = mutate(next);
      await this.persist([...next.values()]);
      this.topics.clear();
      for (const [k, v] of next) this.topics.set(k, v);
      return result;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  static newTopicId(): string {
    return randomBytes(16).toString('base64url');
  }

  private persist(topics: TopicMetadata[]): Promise<void> {
    return writeJsonAtomically(this.file, { version: 1, topics });
  }
}
