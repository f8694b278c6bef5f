// Throwaway fake Kafka broker: answers ApiVersions + Metadata by hand-built bytes,
// captures the records field of Produce requests to hex files. Outside the repo.
const net = require('net');
const fs = require('fs');
const port = Number(process.argv[2] || 19092);
const outDir = process.argv[3] || '/tmp/capture/out';
const tag = process.argv[4] || 'capture';
fs.mkdirSync(outDir, { recursive: true });
const TOPIC = 'golden';
let produceCount = 0;

function str(s) { const b = Buffer.from(s); const l = Buffer.alloc(2); l.writeInt16BE(b.length); return Buffer.concat([l, b]); }
function i16(n) { const b = Buffer.alloc(2); b.writeInt16BE(n); return b; }
function i32(n) { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; }
function i64(n) { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt(n)); return b; }
function frame(corr, body) { const p = Buffer.concat([i32(corr), body]); return Buffer.concat([i32(p.length), p]); }

const APIS = [[22, 0, 1], [10, 0, 2], [0, 0, 7], [1, 0, 11], [2, 0, 2], [3, 0, 1], [18, 0, 2]];

function apiVersions(ver) {
  const list = Buffer.concat([i32(APIS.length), ...APIS.map(([k, a, b]) => Buffer.concat([i16(k), i16(a), i16(b)]))]);
  if (ver >= 3) return Buffer.concat([i16(35), list]); // UNSUPPORTED_VERSION, v0 body
  return Buffer.concat([i16(0), list, ver >= 1 ? i32(0) : Buffer.alloc(0)]);
}
function metadata(ver) {
  const brokers = Buffer.concat([i32(1), i32(1), str('127.0.0.1'), i32(port), ver >= 1 ? i16(-1) : Buffer.alloc(0)]);
  const part = Buffer.concat([i16(0), i32(0), i32(1), i32(1), i32(1), i32(1), i32(1)]);
  const topic = Buffer.concat([i16(0), str(TOPIC), ver >= 1 ? Buffer.from([0]) : Buffer.alloc(0), i32(1), part]);
  return Buffer.concat([brokers, ver >= 1 ? i32(1) : Buffer.alloc(0), i32(1), topic]);
}
function produce(ver, body) {
  let p = 0;
  if (ver >= 3) { const l = body.readInt16BE(p); p += 2 + Math.max(l, 0); }
  const acks = body.readInt16BE(p); p += 2; p += 4;
  const nt = body.readInt32BE(p); p += 4;
  const topics = [];
  for (let t = 0; t < nt; t++) {
    const l = body.readInt16BE(p); p += 2; const name = body.subarray(p, p + l).toString(); p += l;
    const np = body.readInt32BE(p); p += 4; const parts = [];
    for (let i = 0; i < np; i++) {
      const part = body.readInt32BE(p); p += 4; const rl = body.readInt32BE(p); p += 4;
      const recs = body.subarray(p, p + rl); p += rl;
      const file = `${outDir}/${tag}-${produceCount++}.hex`;
      fs.writeFileSync(file, recs.toString('hex') + '\n');
      console.log(`produce v${ver} acks=${acks} ${name}[${part}] ${rl} bytes -> ${file}`);
      parts.push(part);
    }
    topics.push([name, parts]);
  }
  if (acks === 0) return null;
  const out = [i32(topics.length)];
  for (const [name, parts] of topics) {
    out.push(str(name), i32(parts.length));
    for (const part of parts) {
      out.push(i32(part), i16(0), i64(0));
      if (ver >= 2) out.push(i64(-1));
      if (ver >= 5) out.push(i64(0));
    }
  }
  if (ver >= 1) out.push(i32(0));
  return Buffer.concat(out);
}

net.createServer((sock) => {
  let acc = Buffer.alloc(0);
  sock.on('data', (d) => {
    acc = Buffer.concat([acc, d]);
    while (acc.length >= 4 && acc.length >= 4 + acc.readInt32BE(0)) {
      const len = acc.readInt32BE(0); const req = acc.subarray(4, 4 + len); acc = acc.subarray(4 + len);
      const key = req.readInt16BE(0), ver = req.readInt16BE(2), corr = req.readInt32BE(4);
      const cl = req.readInt16BE(8); const client = cl >= 0 ? req.subarray(10, 10 + cl).toString() : null;
      const body = req.subarray(10 + Math.max(cl, 0));
      console.log(`req key=${key} v=${ver} corr=${corr} client=${client}`);
      let resp = null;
      if (key === 18) resp = apiVersions(ver);
      else if (key === 3) resp = metadata(ver);
      else if (key === 0) { resp = produce(ver, body); if (!resp) continue; }
      else if (key === 22) resp = Buffer.concat([i32(0), i16(0), i64(4242), i16(3)]);
      else { console.log('unhandled api', key); continue; }
      sock.write(frame(corr, resp));
    }
  });
  sock.on('error', () => {});
}).listen(port, '127.0.0.1', () => console.log('listening', port));
