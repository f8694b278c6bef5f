const { Kafka, CompressionTypes, logLevel } = require('kafkajs');
(async () => {
  const port = Number(process.argv[2]); const codec = process.argv[3];
  const kafka = new Kafka({ clientId: 'kafkajs-golden', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.ERROR, retry: { retries: 0 } });
  const p = kafka.producer({ allowAutoTopicCreation: false });
  await p.connect();
  await p.send({ topic: 'golden', acks: -1, compression: codec === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None, messages: [
    { key: 'k1', value: 'value-one', partition: 0, timestamp: '1700000000000', headers: { h1: 'hv1' } },
    { key: 'k2', value: 'a'.repeat(200), partition: 0, timestamp: '1700000000123' },
    { key: null, value: null, partition: 0, timestamp: '1700000000007', headers: { h2: 'hv2', h3: 'x' } },
  ] });
  await p.disconnect();
})().catch((e) => { console.error(e); process.exit(1); });
