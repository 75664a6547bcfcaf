import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * A throwaway certificate authority and one server certificate signed by it, made with openssl for
 * one test run (Node's crypto makes keys, not X.509 certificates). Nothing is written outside a
 * temp dir, which is removed before this returns; the PEMs live in memory only. Tests trust `ca`
 * the way a tailnet client trusts Let's Encrypt for a `*.ts.net` name.
 */
export interface TestCertificates {
  /** The CA certificate (PEM): what clients pass as `tls.ca`. */
  ca: string;
  /** The server certificate (PEM) and its private key. */
  cert: string;
  key: string;
}

const execFileAsync = promisify(execFile);

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileAsync('openssl', args, { cwd, timeout: 30_000 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed (is openssl installed?): ${(e.stderr ?? e.message).slice(0, 500)}`);
  }
}

/** A CA and a leaf for `names` (DNS names and IP addresses, as subjectAltName entries). */
export async function makeTestCertificates(names: readonly string[]): Promise<TestCertificates> {
  if (names.length === 0) throw new Error('makeTestCertificates needs at least one name');
  const dir = await mkdtemp(join(tmpdir(), 'clawops-test-ca-'));
  try {
    const san = names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
    await writeFile(join(dir, 'leaf.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    await openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-days',
        '2',
        '-subj',
        '/CN=clawops test CA',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    await openssl(['req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', `/CN=${names[0]}`], dir);
    await openssl(
      ['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'leaf.ext'],
      dir,
    );
    const [ca, cert, key] = await Promise.all([
      readFile(join(dir, 'ca.pem'), 'utf8'),
      readFile(join(dir, 'leaf.pem'), 'utf8'),
      readFile(join(dir, 'leaf.key'), 'utf8'),
    ]);
    return { ca, cert, key };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
