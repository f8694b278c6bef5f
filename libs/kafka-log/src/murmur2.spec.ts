import { Partitioners } from 'kafkajs';
import { keyPartition, murmur2 } from './murmur2';

describe('murmur2', () => {
  it('gives the hashes of the Java client (values from its Utils.murmur2 test)', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [text, hash] of cases) expect(murmur2(Buffer.from(text, 'utf8'))).toBe(hash);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  it('puts every key where kafkajs DefaultPartitioner puts it', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 7 }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 0, replicas: [0], isr: [0] }));
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(`key-${i * 7919}-${'x'.repeat(i % 5)}`, 'utf8');
      expect(keyPartition(key, 7)).toBe(partitioner({ topic: 't', partitionMetadata, message: { key, value: null } }));
    }
  });
});
