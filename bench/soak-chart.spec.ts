import { inflateSync } from 'node:zlib';
import { crc32 } from '@node-rs/crc32';
import { renderSoakChart, type ChartSample } from './soak-chart';

/** The PNG's chunks, each CRC-checked: type -> data. */
function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const chunks: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    const typeAndData = png.subarray(at + 4, at + 8 + len);
    expect(crc32(typeAndData) >>> 0).toBe(png.readUInt32BE(at + 8 + len));
    chunks.push({ type: typeAndData.subarray(0, 4).toString('latin1'), data: typeAndData.subarray(4) });
    at += 12 + len;
  }
  return chunks;
}

function samples(n: number, lagSpikeAt: number): ChartSample[] {
  return Array.from({ length: n }, (_, i) => ({
    t: i * 10,
    rssMiB: 150 + (i % 3),
    fds: 254 + (i % 2),
    loopLagMaxMs: i === lagSpikeAt ? 1224 : 20 + (i % 5),
    groupLag: 2000 + 100 * (i % 4),
    connectLagMs: 250 + (i % 7) * 10,
  }));
}

describe('soak chart', () => {
  it('renders the samples as a valid PNG of the requested size', () => {
    const png = renderSoakChart(samples(30, 12), 'soak test chart', 800, 900);
    const chunks = pngChunks(png);
    expect(chunks[0].type).toBe('IHDR');
    expect(chunks[chunks.length - 1].type).toBe('IEND');
    const ihdr = chunks[0].data;
    const [width, height, depth, colorType] = [ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]];
    expect([width, height]).toEqual([800, 900]);
    // Decompressed image data: one filter byte per row + 4 bytes per RGBA (6) / 3 per RGB (2) pixel.
    const channels = colorType === 6 ? 4 : colorType === 2 ? 3 : colorType === 4 ? 2 : 1;
    const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
    expect(raw.length).toBe(height * (1 + (width * channels * depth) / 8));
  });

  it('draws the data: other samples give another image', () => {
    const a = renderSoakChart(samples(30, 12), 'soak', 400, 500);
    const b = renderSoakChart(samples(30, 20), 'soak', 400, 500);
    expect(a.equals(b)).toBe(false);
  });
});
