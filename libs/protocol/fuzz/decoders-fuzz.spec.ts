import * as path from 'node:path';
import { fuzz, MODE_BATCHES, MODE_REQUEST, MODE_RESPONSE } from './decoders.fuzz';
import { ALL_APIS } from '../src';
import { captureSeeds, encodedSeeds } from './mutation-fuzz';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The fuzz seeds and target; the time-boxed coverage-guided run is decoders-fuzz.it.spec.ts. */
describe('decoder fuzz seeds', () => {
  const seeds = captureSeeds(repoRoot);
  const requests = seeds.filter((s) => s[0] === MODE_REQUEST).map((s) => s.subarray(1));
  const clientOf = (frame: Buffer): string => frame.subarray(10, 10 + frame.readInt16BE(8)).toString('utf8');

  it('holds frames of kcat, python confluent_kafka and kafkajs over most API keys, and the batches in their Produce requests', () => {
    const clients = new Set(requests.map(clientOf));
    for (const c of ['kcat', 'confluent-kafka-python', 'kafkajs']) expect(clients).toContain(c);
    expect(new Set(requests.map((f) => f.readInt16BE(0))).size).toBeGreaterThanOrEqual(25);
    expect(seeds.filter((s) => s[0] === MODE_BATCHES).length).toBeGreaterThanOrEqual(5);
    for (const s of seeds) expect(() => fuzz(s)).not.toThrow();
  });

  it('codec-encoded seeds reach every API key and version the codec defines, as requests and as responses', () => {
    const encoded = encodedSeeds();
    const requests = new Set(encoded.filter((s) => s[0] === MODE_REQUEST).map((s) => `${s.readInt16BE(1)}v${s.readInt16BE(3)}`));
    const responses = new Set(encoded.filter((s) => s[0] === MODE_RESPONSE).map((s) => `${s[1]}v${s[2]}`));
    for (const api of ALL_APIS) {
      for (let v = api.validVersions[0]; v <= api.validVersions[1]; v++) {
        expect(requests).toContain(`${api.apiKey}v${v}`);
        if (v < 16) expect(responses).toContain(`${api.apiKey}v${v}`);
      }
    }
    for (const s of encoded) expect(() => fuzz(s)).not.toThrow();
  });

  it('a frame cut mid-field is refused with a documented decoder error, not a crash', () => {
    // The target swallows only ProtocolDecodeError / UnsupportedVersionError / RecordDecodeError.
    for (const s of seeds.slice(0, 20)) for (let len = 1; len < s.length; len += 3) expect(() => fuzz(s.subarray(0, len))).not.toThrow();
  });
});
