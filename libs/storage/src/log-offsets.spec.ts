import { LogOffsets } from './log-offsets';

describe('LogOffsets', () => {
  it('clamps the high watermark into [logStartOffset, LEO]', () => {
    let leo = 100;
    const o = new LogOffsets(10, 50, () => leo);
    expect(o.updateHighWatermark(5)).toBe(10);
    expect(o.updateHighWatermark(500)).toBe(100);
    leo = 120;
    expect(o.updateHighWatermark(110)).toBe(110);
  });

  it('only raises logStartOffset, pulling the high watermark up with it but never past the LEO', () => {
    const o = new LogOffsets(10, 20, () => 30);
    expect(o.raiseLogStartOffset(5)).toBe(false);
    expect(o.logStartOffset).toBe(10);
    expect(o.raiseLogStartOffset(25)).toBe(true);
    expect([o.logStartOffset, o.highWatermark]).toEqual([25, 25]);
    expect(o.raiseLogStartOffset(40)).toBe(true);
    expect([o.logStartOffset, o.highWatermark]).toEqual([40, 30]);
  });

  it('lowers the high watermark to a truncated LEO, and resets both on a full truncation', () => {
    let leo = 100;
    const o = new LogOffsets(0, 90, () => leo);
    leo = 60;
    o.clampToLogEnd();
    expect(o.highWatermark).toBe(60);
    o.reset(7);
    expect([o.logStartOffset, o.highWatermark]).toEqual([7, 7]);
  });
});
