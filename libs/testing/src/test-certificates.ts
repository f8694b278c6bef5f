import * as fs from 'node:fs';
import * as path from 'node:path';
import { runChecked } from './run-command';
import { systemBinary } from './system-binary';

const OPENSSL = systemBinary('/usr/bin/openssl');

/** PEM files of a throw-away CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA. */
export interface TestCertificates {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

/**
 * Writes a test PKI into `dir` with the `openssl` CLI (RSA 2048, valid 2 days).
 *
 * Contract: the server certificate names IP 127.0.0.1 and DNS localhost (host name
 * checks pass for those); the client certificate has CN `clientName` and the clientAuth
 * usage. Keys are unencrypted. Rejects quoting openssl's output when a step fails.
 */
export async function makeTestCertificates(dir: string, clientName = 'millrace-test-client'): Promise<TestCertificates> {
  fs.mkdirSync(dir, { recursive: true });
  const f = (name: string): string => path.join(dir, name);
  await runChecked(OPENSSL, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=Millrace test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const leaf = async (name: string, cn: string, ext: string): Promise<void> => {
    fs.writeFileSync(f(`${name}.ext`), `${ext}\n`);
    await runChecked(OPENSSL, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', `/CN=${cn}`]);
    await runChecked(OPENSSL, ['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '2', '-extfile', f(`${name}.ext`)]);
  };
  await leaf('server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth');
  await leaf('client', clientName, 'extendedKeyUsage=clientAuth');
  return { caFile: f('ca.crt'), serverCertFile: f('server.crt'), serverKeyFile: f('server.key'), clientCertFile: f('client.crt'), clientKeyFile: f('client.key') };
}
