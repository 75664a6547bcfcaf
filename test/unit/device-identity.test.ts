import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DeviceIdentityError,
  buildDeviceSignaturePayload,
  deviceIdFromPublicKey,
  identityFromPrivateKey,
  loadOrCreateDeviceIdentity,
  normalizeDeviceMetadata,
  verifyDeviceSignature,
} from '../../src/openclaw/device-identity.js';

// RFC 8032, section 7.1, TEST 1: a published Ed25519 key pair with a known signature.
const RFC_SEED_HEX = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC_HEX = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_EMPTY_MESSAGE_SIGNATURE_HEX =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const RFC_DEVICE_ID = '21fe31dfa154a261626bf854046fd2271b7bed4b6abe45aa58877ef47f9721b9';

// A challenge as the real Gateway sends it.
const CHALLENGE = { nonce: '288d0ab8-b96c-46dd-b48e-07fa5e086b9c', ts: 1795490306755 };

describe('buildDeviceSignaturePayload', () => {
  it('builds the v3 string field by field', () => {
    const payload = buildDeviceSignaturePayload({
      deviceId: RFC_DEVICE_ID,
      clientId: 'cli',
      clientMode: 'cli',
      role: 'operator',
      scopes: ['operator.read', 'operator.write'],
      signedAtMs: CHALLENGE.ts,
      token: 'tok',
      nonce: CHALLENGE.nonce,
      platform: 'linux',
      deviceFamily: null,
    });
    expect(payload).toBe(`v3|${RFC_DEVICE_ID}|cli|cli|operator|operator.read,operator.write|1795490306755|tok|288d0ab8-b96c-46dd-b48e-07fa5e086b9c|linux|`);
  });

  it('uses empty fields for a missing token, no scopes and no device family', () => {
    const payload = buildDeviceSignaturePayload({
      deviceId: 'd',
      clientId: 'openclaw-probe',
      clientMode: 'probe',
      role: 'operator',
      scopes: [],
      signedAtMs: 0,
      nonce: 'n',
      platform: 'Darwin',
    });
    expect(payload).toBe('v3|d|openclaw-probe|probe|operator||0||n|darwin|');
  });

  it('normalises metadata like the Gateway: trimmed, ASCII A-Z lowercased only', () => {
    expect(normalizeDeviceMetadata('  MacBookPro ')).toBe('macbookpro');
    expect(normalizeDeviceMetadata('LİNUX')).toBe('lİnux');
    expect(normalizeDeviceMetadata(undefined)).toBe('');
    expect(normalizeDeviceMetadata('   ')).toBe('');
  });
});

describe('identityFromPrivateKey', () => {
  const identity = identityFromPrivateKey(Buffer.from(RFC_SEED_HEX, 'hex'));

  it('derives the RFC 8032 public key and the sha256 device id', () => {
    expect(Buffer.from(identity.publicKey, 'base64url').toString('hex')).toBe(RFC_PUBLIC_HEX);
    expect(identity.deviceId).toBe(RFC_DEVICE_ID);
    expect(deviceIdFromPublicKey(identity.publicKey)).toBe(RFC_DEVICE_ID);
  });

  it('produces the RFC 8032 signature (known answer)', () => {
    expect(Buffer.from(identity.sign(''), 'base64url').toString('hex')).toBe(RFC_EMPTY_MESSAGE_SIGNATURE_HEX);
  });

  it('signs the fixed challenge payload with a signature the public key verifies', () => {
    const payload = buildDeviceSignaturePayload({
      deviceId: identity.deviceId,
      clientId: 'cli',
      clientMode: 'cli',
      role: 'operator',
      scopes: ['operator.read'],
      signedAtMs: CHALLENGE.ts,
      token: 'devtoken123',
      nonce: CHALLENGE.nonce,
      platform: 'linux',
    });
    const signature = identity.sign(payload);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(verifyDeviceSignature(identity.publicKey, payload, signature)).toBe(true);
    // Independently, with node:crypto and the RFC public key.
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(RFC_PUBLIC_HEX, 'hex')]);
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(verify(null, Buffer.from(payload), key, Buffer.from(signature, 'base64url'))).toBe(true);
    // Any change in the payload breaks it.
    expect(verifyDeviceSignature(identity.publicKey, payload.replace('|linux|', '|darwin|'), signature)).toBe(false);
  });

  it('accepts the seed as base64url and as PEM, giving the same identity', () => {
    const fromB64 = identityFromPrivateKey(Buffer.from(RFC_SEED_HEX, 'hex').toString('base64url'));
    expect(fromB64.deviceId).toBe(RFC_DEVICE_ID);
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(RFC_SEED_HEX, 'hex')]);
    const pem = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(identityFromPrivateKey(pem).deviceId).toBe(RFC_DEVICE_ID);
    expect(identityFromPrivateKey(createPrivateKey(pem)).deviceId).toBe(RFC_DEVICE_ID);
  });

  it('rejects a wrong-length seed without echoing it', () => {
    const seed = 'abcdefabcdefabcdef';
    let caught: unknown;
    try {
      identityFromPrivateKey(Buffer.from(seed, 'hex'));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeviceIdentityError);
    expect(String((caught as Error).message)).not.toContain(seed);
  });

  it('keeps device tokens in memory and never serialises key material', async () => {
    const withTokens = identityFromPrivateKey(Buffer.from(RFC_SEED_HEX, 'hex'), { 'ws://a:1': 'tok-a' });
    expect(withTokens.deviceTokenFor('ws://a:1')).toBe('tok-a');
    await withTokens.saveDeviceToken('ws://b:2', 'tok-b');
    expect(withTokens.deviceTokenFor('ws://b:2')).toBe('tok-b');
    const json = JSON.stringify(withTokens);
    expect(json).toContain(RFC_DEVICE_ID);
    expect(json).not.toContain('PRIVATE');
    expect(json).not.toContain('tok-a');
  });

  it('verifyDeviceSignature never throws on garbage', () => {
    expect(verifyDeviceSignature('', 'x', '')).toBe(false);
    expect(verifyDeviceSignature('not base64 !!', 'x', 'also not')).toBe(false);
  });
});

describe('loadOrCreateDeviceIdentity', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawops-identity-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the identity once: directory 0700, file 0600, same id on the next load', async () => {
    const file = join(dir, 'state', 'device.json');
    const first = await loadOrCreateDeviceIdentity(file);
    expect(first.deviceId).toMatch(/^[0-9a-f]{64}$/);
    expect(deviceIdFromPublicKey(first.publicKey)).toBe(first.deviceId);
    expect((await stat(join(dir, 'state'))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const second = await loadOrCreateDeviceIdentity(file);
    expect(second.deviceId).toBe(first.deviceId);
    expect(second.publicKey).toBe(first.publicKey);

    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ version: 1, deviceId: first.deviceId, publicKey: first.publicKey });
    // Signatures from either load verify against the stored public key.
    expect(verifyDeviceSignature(first.publicKey, 'x', second.sign('x'))).toBe(true);
  });

  it('persists issued device tokens per gateway key and keeps the file 0600', async () => {
    const file = join(dir, 'device.json');
    const identity = await loadOrCreateDeviceIdentity(file);
    expect(identity.deviceTokenFor('ws://127.0.0.1:18789')).toBeUndefined();
    await Promise.all([identity.saveDeviceToken('ws://127.0.0.1:18789', 'devtok-1'), identity.saveDeviceToken('wss://gw.example.ts.net', 'devtok-2')]);
    expect(identity.deviceTokenFor('ws://127.0.0.1:18789')).toBe('devtok-1');
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const reloaded = await loadOrCreateDeviceIdentity(file);
    expect(reloaded.deviceTokenFor('ws://127.0.0.1:18789')).toBe('devtok-1');
    expect(reloaded.deviceTokenFor('wss://gw.example.ts.net')).toBe('devtok-2');
  });

  it('creates exactly one identity when several loads race', async () => {
    const file = join(dir, 'race', 'device.json');
    const identities = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateDeviceIdentity(file)));
    expect(new Set(identities.map((identity) => identity.deviceId)).size).toBe(1);
  });

  it('tightens a file someone made world-readable', async () => {
    const file = join(dir, 'device.json');
    await loadOrCreateDeviceIdentity(file);
    await chmod(file, 0o644);
    await loadOrCreateDeviceIdentity(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('rejects an inconsistent or corrupt file without putting its content in the error', async () => {
    const file = join(dir, 'device.json');
    await loadOrCreateDeviceIdentity(file);
    const stored = JSON.parse(await readFile(file, 'utf8')) as { publicKey: string; privateKeyPem: string };
    const other = identityFromPrivateKey(Buffer.from(RFC_SEED_HEX, 'hex'));
    await writeFile(file, JSON.stringify({ ...stored, publicKey: other.publicKey }), { mode: 0o600 });
    const inconsistent = await loadOrCreateDeviceIdentity(file).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(inconsistent).toBeInstanceOf(DeviceIdentityError);
    expect((inconsistent as Error).message).toMatch(/inconsistent/);
    expect((inconsistent as Error).message).not.toContain(other.publicKey);
    expect((inconsistent as Error).message).not.toContain('PRIVATE KEY');

    await writeFile(file, `{"privateKeyPem": ${JSON.stringify(stored.privateKeyPem)}, "version": 1`, { mode: 0o600 });
    const corrupt = await loadOrCreateDeviceIdentity(file).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(corrupt).toBeInstanceOf(DeviceIdentityError);
    expect((corrupt as Error).message).not.toContain('PRIVATE KEY');
  });
});
