import { SegmentTailCache } from './segment-tail-cache';

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('SegmentTailCache', () => {
  it('serves reads within the appended range, capped at the committed end', () => {
    const c = new SegmentTailCache(64);
    c.onAppend(100, [bytes(10, 1), bytes(6, 2)], 16);
    c.onAppend(116, [bytes(8, 3)], 8);
    expect(c.read(100, 16, 124)).toEqual(Buffer.concat([bytes(10, 1), bytes(6, 2)]));
    expect(c.read(110, 1000, 124)).toEqual(Buffer.concat([bytes(6, 2), bytes(8, 3)]));
    expect(c.read(99, 4, 124)).toBeNull();
  });

  it('misses beyond the cached range and when the cache is empty', () => {
    const c = new SegmentTailCache(64);
    expect(c.read(0, 10, 10)).toBeNull();
    c.onAppend(0, [bytes(10, 1)], 10);
    // The committed end moved past what the cache saw (not through onAppend): miss.
    expect(c.read(0, 20, 20)).toBeNull();
  });

  it('starts a new buffer when an append does not fit, leaving earlier views intact', () => {
    const c = new SegmentTailCache(16);
    c.onAppend(0, [bytes(12, 1)], 12);
    const view = c.read(0, 12, 12)!;
    c.onAppend(12, [bytes(8, 2)], 8);
    expect(view).toEqual(bytes(12, 1));
    expect(c.read(0, 12, 20)).toBeNull();
    expect(c.read(12, 8, 20)).toEqual(bytes(8, 2));
  });

  it('empties on an append larger than its capacity, on a gap, and on clear', () => {
    const c = new SegmentTailCache(16);
    c.onAppend(0, [bytes(8, 1)], 8);
    c.onAppend(8, [bytes(20, 2)], 20);
    expect(c.read(0, 8, 28)).toBeNull();
    c.onAppend(28, [bytes(4, 3)], 4);
    c.onAppend(40, [bytes(4, 4)], 4);
    expect(c.read(28, 4, 44)).toBeNull();
    expect(c.read(40, 4, 44)).toEqual(bytes(4, 4));
    c.clear();
    expect(c.read(40, 4, 44)).toBeNull();
  });
});
