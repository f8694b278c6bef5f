import { FrameDecoder, FrameTooLargeError, InvalidFrameError } from './frame-decoder';

function frame(body: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

describe('FrameDecoder', () => {
  const a = Buffer.from('0123456789');
  const b = Buffer.from('abcdefghijklmnopqrstuvwxyz');

  it('returns whole frames from one chunk holding several', () => {
    const d = new FrameDecoder(1000);
    const frames = d.push(Buffer.concat([frame(a), frame(b)]));
    expect(frames.map(String)).toEqual([String(a), String(b)]);
    expect(d.pendingBytes).toBe(0);
  });

  it('reassembles frames split at every byte boundary', () => {
    const stream = Buffer.concat([frame(a), frame(b)]);
    for (let cut = 1; cut < stream.length; cut++) {
      const d = new FrameDecoder(1000);
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      expect(frames.map(String)).toEqual([String(a), String(b)]);
    }
  });

  it('rejects an oversized frame from its size prefix alone', () => {
    const d = new FrameDecoder(100);
    const prefix = Buffer.alloc(4);
    prefix.writeInt32BE(101);
    expect(() => d.push(prefix)).toThrow(FrameTooLargeError);
  });

  it('rejects negative and too-small sizes', () => {
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-5);
    expect(() => new FrameDecoder(100).push(neg)).toThrow(InvalidFrameError);
    expect(() => new FrameDecoder(100).push(frame(Buffer.from('abc')))).toThrow(InvalidFrameError);
  });
});
