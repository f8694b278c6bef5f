import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { openReadWrite, StorageIo, unlinkIfExists, writeFully } from './storage-io';

/**
 * Fixed-size-entry index file shared by the offset index and the time index.
 *
 * Storage choice: indexes are APPENDED, not preallocated. Kafka preallocates
 * `segment.index.bytes` and mmaps the file; Node has no mmap, so here the whole index is
 * held in memory (a Buffer with the exact on-disk bytes) and new entries are written to
 * the end of the file with one positional write per append call. The file therefore
 * always has length `entries * entrySize` (no zero tail to trim at roll/close), and
 * `segment.index.bytes` is honoured as a capacity: `maxEntries = floor(bytes / entrySize)`;
 * a full index makes the segment roll, as in Kafka.
 *
 * Loading is lazy: a segment that is never looked up never reads its index. The file
 * handle is opened on first write, so immutable (rolled) segments hold no index handles.
 *
 * Concurrency: all mutations (append, truncate, persist) are made by the owning segment
 * under its log's mutex; lookups are synchronous over the in-memory buffer and so always
 * see a consistent entry list.
 */
export class IndexFile {
  private buf: Buffer = Buffer.alloc(0);
  private count = 0;
  /** Entries already written to the file. */
  private persisted = 0;
  private loaded = false;
  private handle: FileHandle | null = null;
  /** Set when the file's size was not a whole number of entries. */
  private tornTail = false;

  constructor(
    private filePath: string,
    readonly entrySize: number,
    readonly maxEntries: number,
  ) {}

  get path(): string {
    return this.filePath;
  }

  /** Reads the file into memory (once). A missing file loads as empty. */
  async load(): Promise<void> {
    if (this.loaded) return;
    let data: Buffer;
    try {
      data = await fsp.readFile(this.filePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      data = Buffer.alloc(0);
    }
    this.count = Math.floor(data.length / this.entrySize);
    this.tornTail = data.length % this.entrySize !== 0;
    this.buf = data;
    this.persisted = this.count;
    this.loaded = true;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** True if the file ended in a partial entry when loaded. */
  get hadTornTail(): boolean {
    return this.tornTail;
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Byte offset of entry `i` inside the in-memory buffer (for typed readers). */
  protected slot(i: number): number {
    return i * this.entrySize;
  }

  protected get data(): Buffer {
    return this.buf;
  }

  /** Reserves one entry at the end and returns its byte offset for the caller to fill. */
  protected reserveEntry(): number {
    const need = (this.count + 1) * this.entrySize;
    if (need > this.buf.length) {
      const grown = Buffer.alloc(Math.max(need, this.buf.length * 2, this.entrySize * 64));
      this.buf.copy(grown, 0, 0, this.count * this.entrySize);
      this.buf = grown;
    }
    const at = this.count * this.entrySize;
    this.count++;
    return at;
  }

  /** Entries added since the last persist (in memory only). */
  get unpersistedEntries(): number {
    return this.count - this.persisted;
  }

  /** Writes entries added since the last persist to the end of the file (one write). */
  async persist(): Promise<void> {
    if (!this.loaded) return;
    if (this.persisted === this.count && !this.tornTail) return;
    const h = await this.writable();
    if (this.tornTail) {
      await h.truncate(this.persisted * this.entrySize);
      this.tornTail = false;
    }
    if (this.persisted < this.count) {
      const from = this.persisted * this.entrySize;
      const to = this.count * this.entrySize;
      await writeFully(h, [this.buf.subarray(from, to)], from);
      this.persisted = this.count;
    }
  }

  /** Keeps the first `n` entries, in memory and on disk. */
  async truncateToEntries(n: number): Promise<void> {
    await this.load();
    if (n >= this.count && !this.tornTail) return;
    this.count = Math.min(n, this.count);
    this.persisted = Math.min(this.persisted, this.count);
    const h = await this.writable();
    await h.truncate(this.persisted * this.entrySize);
    this.tornTail = false;
  }

  /** Makes sure the file exists on disk (an empty index is a valid index). */
  async ensureFile(): Promise<void> {
    await this.writable();
  }

  /** Drops every entry. */
  async reset(): Promise<void> {
    this.loaded = true;
    await this.truncateToEntries(0);
  }

  async sync(io: StorageIo): Promise<void> {
    await this.persist();
    if (this.handle) await io.sync(this.handle);
  }

  /** Releases the file handle (memory stays loaded). Reopened on the next write. */
  async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    await h?.close();
  }

  /** Frees memory for an immutable segment; reloaded lazily from disk. Call after persist. */
  unload(): void {
    if (this.persisted !== this.count) return;
    this.buf = Buffer.alloc(0);
    this.count = 0;
    this.persisted = 0;
    this.loaded = false;
  }

  async renameTo(newPath: string): Promise<void> {
    await this.persist();
    try {
      await fsp.rename(this.filePath, newPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.filePath = newPath;
  }

  async delete(): Promise<void> {
    await this.closeHandle();
    await unlinkIfExists(this.filePath);
    this.buf = Buffer.alloc(0);
    this.count = 0;
    this.persisted = 0;
  }

  private async writable(): Promise<FileHandle> {
    if (!this.handle) this.handle = await openReadWrite(this.filePath);
    return this.handle;
  }
}
