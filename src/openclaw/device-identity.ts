import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import * as z from '../zod-mini.js';
import type { DeviceIdentity } from './types.js';
import { AppError } from '../errors.js';

/**
 * The Ed25519 device identity an OpenClaw Gateway pairs with. A token-only client from anywhere
 * but loopback gets its scopes cleared, so full remote read access needs this identity plus a
 * one-time approval; the Gateway then issues a device token we keep and present later.
 *
 * Key material and tokens never appear in error messages: every error here names the file and
 * the problem, nothing read from it.
 */

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const RAW_KEY_LENGTH = 32;

/** On-disk shape, version 1. */
const nonEmpty = z.string().check(z.minLength(1));
const StoredTokenSchema = z.object({ token: nonEmpty, savedAt: z.string() });
/** zod's mini API: this file is read on every `clawops check` (src/zod-mini.ts says why). */
const IdentityFileSchema = z.object({
  version: z.literal(1),
  deviceId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** Raw 32-byte public key, base64url (what the Gateway receives). */
  publicKey: nonEmpty,
  /** PKCS#8 PEM. */
  privateKeyPem: nonEmpty,
  createdAt: z.string(),
  /** Device tokens keyed by gateway key (see `gatewayKeyOf` in client.ts). */
  deviceTokens: z._default(z.record(z.string(), StoredTokenSchema), {}),
});
type IdentityFile = z.infer<typeof IdentityFileSchema>;

/** Thrown for unusable identity files; the message never contains file content. */
export class DeviceIdentityError extends AppError {
  declare readonly code: 'DEVICE_IDENTITY_INVALID';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEVICE_IDENTITY_INVALID', message, options);
    this.name = 'DeviceIdentityError';
  }
}

// ---------------------------------------------------------------------------------------------
// Pure helpers
// ---------------------------------------------------------------------------------------------

export interface DeviceSignatureInput {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  /** The challenge `ts` (ms). */
  signedAtMs: number;
  /** `auth.token` if sent, else `auth.deviceToken`, else absent. */
  token?: string | null;
  nonce: string;
  platform?: string | null;
  deviceFamily?: string | null;
}

/**
 * The Gateway's metadata normalisation for the signature (`normalizeDeviceMetadataForAuth`):
 * trimmed, ASCII A–Z lowercased only (not `toLowerCase`, which would also fold non-ASCII and
 * produce a payload the Gateway does not rebuild).
 */
export function normalizeDeviceMetadata(value: string | null | undefined): string {
  if (typeof value !== 'string') return '';
  return value.trim().replace(/[A-Z]/g, (char) => String.fromCharCode(char.charCodeAt(0) + 32));
}

/**
 * The exact UTF-8 string the device signs (Gateway `buildDeviceAuthPayloadV3`):
 * `v3|deviceId|client.id|client.mode|role|scopes,joined|signedAt|token|nonce|platform|deviceFamily`.
 */
export function buildDeviceSignaturePayload(input: DeviceSignatureInput): string {
  return [
    'v3',
    input.deviceId,
    input.clientId,
    input.clientMode,
    input.role,
    input.scopes.join(','),
    String(input.signedAtMs),
    input.token ?? '',
    input.nonce,
    normalizeDeviceMetadata(input.platform),
    normalizeDeviceMetadata(input.deviceFamily),
  ].join('|');
}

/** sha256 hex of the raw 32-byte public key (given as base64url). */
export function deviceIdFromPublicKey(publicKeyBase64Url: string): string {
  return createHash('sha256').update(Buffer.from(publicKeyBase64Url, 'base64url')).digest('hex');
}

function rawPublicKeyOf(key: KeyObject): Buffer {
  const spki = key.export({ type: 'spki', format: 'der' });
  if (spki.length !== ED25519_SPKI_PREFIX.length + RAW_KEY_LENGTH || !spki.subarray(0, ED25519_SPKI_PREFIX.length).equals(ED25519_SPKI_PREFIX)) {
    throw new DeviceIdentityError('not an Ed25519 public key');
  }
  return spki.subarray(ED25519_SPKI_PREFIX.length);
}

/** Verifies a base64url Ed25519 signature against a raw base64url public key. Never throws. */
export function verifyDeviceSignature(publicKeyBase64Url: string, payload: string, signatureBase64Url: string): boolean {
  try {
    const raw = Buffer.from(publicKeyBase64Url, 'base64url');
    if (raw.length !== RAW_KEY_LENGTH) return false;
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(payload, 'utf8'), key, Buffer.from(signatureBase64Url, 'base64url'));
  } catch {
    return false;
  }
}

/** A private key from a KeyObject, a PKCS#8 PEM, or a raw 32-byte seed (Buffer or base64url). */
export type PrivateKeyInput = KeyObject | string | Buffer | Uint8Array;

function privateKeyObjectOf(input: PrivateKeyInput): KeyObject {
  try {
    if (input instanceof KeyObject) {
      if (input.type !== 'private' || input.asymmetricKeyType !== 'ed25519') throw new DeviceIdentityError('not an Ed25519 private key');
      return input;
    }
    if (typeof input === 'string' && input.includes('-----BEGIN')) {
      const key = createPrivateKey({ key: input, format: 'pem' });
      if (key.asymmetricKeyType !== 'ed25519') throw new DeviceIdentityError('not an Ed25519 private key');
      return key;
    }
    const seed = typeof input === 'string' ? Buffer.from(input, 'base64url') : Buffer.from(input);
    if (seed.length !== RAW_KEY_LENGTH) throw new DeviceIdentityError('an Ed25519 seed must be 32 bytes');
    return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  } catch (error) {
    if (error instanceof DeviceIdentityError) throw error;
    // The cause from node:crypto carries no key bytes, but keep the message ours anyway.
    throw new DeviceIdentityError('unreadable Ed25519 private key');
  }
}

interface TokenStore {
  get(gatewayKey: string): string | undefined;
  save(gatewayKey: string, token: string): Promise<void>;
}

function memoryTokenStore(initial: Record<string, string> = {}): TokenStore {
  const tokens = new Map(Object.entries(initial));
  return {
    get: (key) => tokens.get(key),
    save: async (key, token) => {
      tokens.set(key, token);
    },
  };
}

/** The public half as the Gateway receives it (raw, base64url) and the device id derived from it. */
function publicPartsOf(privateKey: KeyObject): { publicKey: string; deviceId: string } {
  const publicKey = rawPublicKeyOf(createPublicKey(privateKey)).toString('base64url');
  return { publicKey, deviceId: deviceIdFromPublicKey(publicKey) };
}

function makeIdentity(privateKey: KeyObject, store: TokenStore, { publicKey, deviceId } = publicPartsOf(privateKey)): DeviceIdentity {
  // Plain object with closures: no key material on enumerable properties, so logging or
  // JSON-serialising an identity shows only its public parts.
  const identity: DeviceIdentity & { toJSON(): unknown } = {
    deviceId,
    publicKey,
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url'),
    deviceTokenFor: (gatewayKey) => store.get(gatewayKey),
    saveDeviceToken: (gatewayKey, token) => store.save(gatewayKey, token),
    toJSON: () => ({ deviceId, publicKey }),
  };
  return identity;
}

/**
 * An identity from a fixed key, tokens kept in memory. For tests (a known key gives a known
 * signature) and for callers that keep the key elsewhere.
 */
export function identityFromPrivateKey(privateKey: PrivateKeyInput, deviceTokens: Record<string, string> = {}): DeviceIdentity {
  return makeIdentity(privateKeyObjectOf(privateKey), memoryTokenStore(deviceTokens));
}

// ---------------------------------------------------------------------------------------------
// Persistence
// ---------------------------------------------------------------------------------------------

function newIdentityFile(): IdentityFile {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKeyOf(publicKey).toString('base64url');
  return {
    version: 1,
    deviceId: deviceIdFromPublicKey(raw),
    publicKey: raw,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    createdAt: new Date().toISOString(),
    deviceTokens: {},
  };
}

function tempPathFor(filePath: string): string {
  return join(dirname(filePath), `.${basename(filePath)}.${process.pid}.${randomUUID()}.tmp`);
}

async function writePrivateFile(path: string, content: string): Promise<void> {
  // `wx` + mode: the file is 0600 from its first byte, never briefly world-readable.
  await writeFile(path, content, { mode: 0o600, flag: 'wx' });
}

/** The file, validated, and its private key (checked against the stored public key and id). */
async function readIdentityFile(filePath: string): Promise<{ file: IdentityFile; key: KeyObject }> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new DeviceIdentityError(`cannot read device identity file ${filePath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DeviceIdentityError(`device identity file ${filePath} is not JSON`);
  }
  const parsed = IdentityFileSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ');
    throw new DeviceIdentityError(`device identity file ${filePath} is invalid (${fields})`);
  }
  const file = parsed.data;
  // The stored id/public key must belong to the stored private key, or every signature fails
  // with a confusing "device signature invalid" from the Gateway.
  const key = privateKeyObjectOf(file.privateKeyPem);
  const derived = publicPartsOf(key);
  if (derived.publicKey !== file.publicKey || derived.deviceId !== file.deviceId) {
    throw new DeviceIdentityError(`device identity file ${filePath} is inconsistent (public key or deviceId does not match the private key)`);
  }
  return { file, key };
}

/** Creates the file once; if another process won the race, its identity is used. */
async function createIdentityFile(filePath: string): Promise<void> {
  const temp = tempPathFor(filePath);
  await writePrivateFile(temp, `${JSON.stringify(newIdentityFile(), null, 2)}\n`);
  try {
    // link() fails with EEXIST instead of replacing: exactly one creator wins.
    await link(temp, filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new DeviceIdentityError(`cannot create device identity file ${filePath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Loads the identity at `filePath`, creating it on first use (directory 0700, file 0600).
 * Device tokens saved through the identity are written back to the same file.
 */
export async function loadOrCreateDeviceIdentity(filePath: string): Promise<DeviceIdentity> {
  // The common case (the file is there) costs one stat and one read: each is a round trip to libuv's
  // thread pool on the critical path of every `clawops check`.
  let fileStat = await stat(filePath).catch(() => undefined);
  if (!fileStat) {
    const dir = dirname(filePath);
    const dirExisted = await stat(dir).then(
      () => true,
      () => false,
    );
    if (!dirExisted) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // mkdir's mode is filtered by the umask; set it explicitly.
      await chmod(dir, 0o700);
    }
    await createIdentityFile(filePath);
    fileStat = await stat(filePath);
  }
  // Someone may have loosened it (copy, editor): the key must stay private to us.
  if ((fileStat.mode & 0o077) !== 0) await chmod(filePath, 0o600);

  const loaded = await readIdentityFile(filePath);
  let file = loaded.file;
  const key = loaded.key;

  // Saves are serialised in-process and atomic on disk (temp file + rename).
  let queue: Promise<void> = Promise.resolve();
  const store: TokenStore = {
    get: (gatewayKey) => file.deviceTokens[gatewayKey]?.token,
    save: (gatewayKey, token) => {
      // A Gateway hands the same device token back on every hello-ok: rewriting the file with it
      // would only cost each check a read, a key parse and a write on its critical path.
      if (file.deviceTokens[gatewayKey]?.token === token) return queue;
      const run = queue.then(async () => {
        // Re-read so a token saved by another process for another gateway is kept.
        const current = await readIdentityFile(filePath).then(
          (read) => read.file,
          () => file,
        );
        const next: IdentityFile = {
          ...current,
          deviceTokens: { ...current.deviceTokens, [gatewayKey]: { token, savedAt: new Date().toISOString() } },
        };
        const temp = tempPathFor(filePath);
        try {
          await writePrivateFile(temp, `${JSON.stringify(next, null, 2)}\n`);
          await rename(temp, filePath);
        } catch (error) {
          await unlink(temp).catch(() => undefined);
          throw new DeviceIdentityError(`cannot save device token to ${filePath}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
        }
        file = next;
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
  return makeIdentity(key, store, { publicKey: file.publicKey, deviceId: file.deviceId });
}
