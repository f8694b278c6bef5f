import { compressSync as rawSnappy } from 'snappy';
import { fixture } from './__fixtures__/fixtures';
import { CompressionType } from './batch-header';
import { compress, decompress, isXerialSnappy } from './compression';
import { RecordDecodeError } from './errors';

const codecs = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

/** Xerial framing as the Java client writes it: 16-byte header then [int32 len, raw block]*. */
function xerial(chunks: Buffer[]): Buffer {
  const header = Buffer.from('82534e41505059000000000100000001', 'hex');
  const parts: Buffer[] = [header];
  for (const c of chunks) {
    const block = rawSnappy(c);
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

describe('compression', () => {
  const payload = Buffer.from('the quick brown fox '.repeat(500) + 'tail');

  it.each(codecs)('codec %d round-trips', (codec) => {
    const c = compress(codec, payload);
    if (codec !== CompressionType.None) expect(c.length).toBeLessThan(payload.length);
    expect(decompress(codec, c).equals(payload)).toBe(true);
  });

  it.each(codecs)('codec %d round-trips an empty buffer', (codec) => {
    expect(decompress(codec, compress(codec, Buffer.alloc(0))).length).toBe(0);
  });

  it('writes raw snappy (not xerial)', () => {
    expect(isXerialSnappy(compress(CompressionType.Snappy, payload))).toBe(false);
  });

  it('reads xerial-framed snappy with one and several blocks', () => {
    expect(decompress(CompressionType.Snappy, xerial([payload])).equals(payload)).toBe(true);
    const parts = [payload.subarray(0, 3000), payload.subarray(3000, 7000), payload.subarray(7000)];
    const framed = xerial(parts);
    expect(isXerialSnappy(framed)).toBe(true);
    expect(decompress(CompressionType.Snappy, framed).equals(payload)).toBe(true);
  });

  it('reads the records section of a kcat snappy batch re-framed as xerial', () => {
    const batch = fixture('kcat-snappy');
    const raw = decompress(CompressionType.Snappy, batch.subarray(61));
    expect(decompress(CompressionType.Snappy, xerial([raw])).equals(raw)).toBe(true);
  });

  it('rejects truncated xerial blocks', () => {
    const framed = xerial([payload]);
    expect(() => decompress(CompressionType.Snappy, framed.subarray(0, framed.length - 3))).toThrow(RecordDecodeError);
    expect(() => decompress(CompressionType.Snappy, framed.subarray(0, 18))).toThrow(/truncated xerial/);
  });

  it.each([CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd])(
    'codec %d: garbage input throws RecordDecodeError (CORRUPT_MESSAGE)',
    (codec) => {
      const garbage = Buffer.from('00ff13370badf00d'.repeat(4), 'hex');
      expect(() => decompress(codec, garbage)).toThrow(RecordDecodeError);
      try {
        decompress(codec, garbage);
      } catch (e) {
        expect((e as RecordDecodeError).code).toBe(2);
      }
    },
  );

  it('rejects unknown codecs', () => {
    expect(() => compress(7 as CompressionType, payload)).toThrow(RecordDecodeError);
    expect(() => decompress(5 as CompressionType, payload)).toThrow(/unknown compression codec 5/);
  });
});
