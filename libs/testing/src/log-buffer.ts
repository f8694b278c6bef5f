import * as fs from 'node:fs';

/**
 * Accumulates a child's stdout and stderr as text, keeping at most `maxBytes` of the most
 * recent output (older output is dropped and a marker says so). Optionally mirrors every
 * chunk to a file, appended synchronously so the file is complete even if the test
 * process dies. One buffer may outlive several processes (restarts append to it).
 */
export class LogBuffer {
  private chunks: string[] = [];
  private size = 0;
  private dropped = false;

  constructor(
    private readonly maxBytes = 4 * 1024 * 1024,
    private readonly mirrorFile?: string,
  ) {}

  append(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.mirrorFile !== undefined) {
      try {
        fs.appendFileSync(this.mirrorFile, text);
      } catch {
        // the mirror is a convenience; the in-memory buffer stays authoritative
      }
    }
    this.chunks.push(text);
    this.size += text.length;
    while (this.size > this.maxBytes && this.chunks.length > 1) {
      this.size -= this.chunks.shift()?.length ?? 0;
      this.dropped = true;
    }
  }

  /** Everything retained so far, oldest first. */
  text(): string {
    return (this.dropped ? '[... earlier output dropped ...]\n' : '') + this.chunks.join('');
  }

  /** The last `lines` lines, for error messages. */
  tail(lines = 40): string {
    return this.text().split('\n').slice(-lines).join('\n');
  }
}
