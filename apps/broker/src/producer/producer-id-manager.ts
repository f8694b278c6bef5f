import { promises as fs } from 'fs';
import * as path from 'path';
import { writeFileAtomically } from '@millrace/storage';

/**
 * Hands out producer ids for InitProducerId, never the same one twice, even across
 * crashes.
 *
 * Ids are reserved in blocks: before the first id of a block is given out, the end of
 * the block is written to `<dataDir>/meta/producer-id-block` (a decimal number: the
 * first id NOT yet reserved), with write-temp + fsync + rename. After a crash the
 * broker starts from that number, skipping at most one block's unused ids. Calls are
 * serialised so two concurrent callers never share an id.
 *
 * In a cluster (`sharedBlocks`, the etcd counter), each block is taken from the cluster
 * instead (Kafka's AllocateProducerIds), so no two brokers hand out the same id; the
 * local file still records the block's end.
 */
export class ProducerIdManager {
  private next = 0;
  private reservedEnd = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly file: string;

  constructor(
    dataDir: string,
    private readonly blockSize = 1000,
    private readonly sharedBlocks: ((size: number, atLeast: number) => Promise<{ start: number; end: number }>) | null = null,
  ) {
    this.file = path.join(dataDir, 'meta', 'producer-id-block');
  }

  async load(): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    try {
      const text = (await fs.readFile(this.file, 'utf8')).trim();
      const value = Number(text);
      if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${this.file}: not a producer id: ${JSON.stringify(text)}`);
      this.next = value;
      this.reservedEnd = value;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  nextProducerId(): Promise<number> {
    const run = async (): Promise<number> => {
      if (this.next >= this.reservedEnd) {
        const block = this.sharedBlocks ? await this.sharedBlocks(this.blockSize, this.next) : { start: this.next, end: this.next + this.blockSize };
        await this.persist(block.end);
        this.next = block.start;
        this.reservedEnd = block.end;
      }
      return this.next++;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private persist(end: number): Promise<void> {
    return writeFileAtomically(this.file, String(end));
  }
}
