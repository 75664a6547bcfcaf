import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, type ParseError } from 'jsonc-parser';

/**
 * A fake Tailscale admin API v2 on 127.0.0.1 (port 0), shaped like the real one: the policy file as
 * HuJSON with an ETag that changes on every set (If-Match mismatch → 412), validate answering 200
 * with test failures in the body, devices and users, DELETE/expire of a device, the DNS
 * preferences (`{"magicDNS": bool}`, GET and POST), the OAuth
 * client-credentials token endpoint, and 401 for a wrong bearer. Every call is recorded.
 */

export interface FakeDevice {
  id: string;
  nodeId: string;
  name: string;
  hostname: string;
  user: string;
  tags?: string[];
  addresses: string[];
  os: string;
  lastSeen: string;
  connectedToControl: boolean;
  authorized: boolean;
  keyExpiryDisabled: boolean;
  expires: string;
  created: string;
}

export interface FakeUser {
  id: string;
  loginName: string;
  displayName: string;
  role: string;
  status: 'active' | 'idle' | 'suspended' | 'needs-approval';
  type: string;
  deviceCount: number;
  lastSeen: string;
  currentlyConnected: boolean;
}

export interface RecordedAdminCall {
  method: string;
  path: string;
  status: number;
  ifMatch?: string;
  contentType?: string;
  accept?: string;
  /** Which credential the call carried (never its value). */
  credential: 'api-key' | 'oauth-token' | 'none' | 'wrong';
}

export interface FakeAdminApiOptions {
  apiKey?: string;
  oauth?: { clientId: string; clientSecret: string; tokenTtlSeconds?: number };
  policy?: string;
  devices?: FakeDevice[];
  users?: FakeUser[];
  tailnet?: string;
  /** The tailnet's MagicDNS preference (`dns/preferences`; default on). */
  magicDNS?: boolean;
}

export const DEFAULT_POLICY = `{
  // Gateways are reached by the ops machines only.
  "groups": {
    "group:ops": [
      "ops1@example.com",
      "departed@example.com", // handing over
    ],
  },
  "tagOwners": { "tag:gateway": ["group:ops"], "tag:ops": ["group:ops"], },
  "acls": [
    { "action": "accept", "src": ["tag:ops"], "dst": ["tag:gateway:18789"] },
  ],
  "tests": [
    { "src": "tag:ops", "accept": ["tag:gateway:18789"] },
  ],
}
`;

export const DEFAULT_DEVICES: FakeDevice[] = [
  device('11111', 'gw1', 'ops1@example.com', ['tag:gateway'], '100.101.102.103'),
  device('22222', 'laptop-departed', 'departed@example.com', undefined, '100.101.102.110'),
];

export const DEFAULT_USERS: FakeUser[] = [user('u1', 'ops1@example.com', 'active'), user('u2', 'departed@example.com', 'suspended')];

export function device(id: string, hostname: string, owner: string, tags: string[] | undefined, ip: string): FakeDevice {
  return {
    id,
    nodeId: `n${id}CNTRL`,
    name: `${hostname}.example-tailnet.ts.net`,
    hostname,
    user: owner,
    ...(tags ? { tags } : {}),
    addresses: [ip, 'fd7a:115c:a1e0::' + id.slice(0, 4)],
    os: 'linux',
    lastSeen: '2026-03-01T11:00:00Z',
    connectedToControl: true,
    authorized: true,
    keyExpiryDisabled: Boolean(tags),
    expires: tags ? '0001-01-01T00:00:00Z' : '2026-08-01T00:00:00Z',
    created: '2025-01-01T00:00:00Z',
  };
}

export function user(id: string, loginName: string, status: FakeUser['status']): FakeUser {
  return {
    id,
    loginName,
    displayName: loginName.split('@')[0]!,
    role: 'member',
    status,
    type: 'member',
    deviceCount: 1,
    lastSeen: '2026-03-01T11:00:00Z',
    currentlyConnected: status === 'active',
  };
}

export interface FakeAdminApi {
  baseUrl: string;
  calls: RecordedAdminCall[];
  tokenRequests: number;
  policy: { hujson: string; etag: string };
  devices: FakeDevice[];
  users: FakeUser[];
  dnsPreferences: { magicDNS: boolean };
  /** Another admin edits the policy: the ETag changes under the client. */
  editPolicyElsewhere(hujson: string): void;
  /** What validate (and a set whose tests fail) reports; empty = tests pass. */
  setTestFailures(failures: Array<{ user: string; errors: string[] }>): void;
  /** Makes every issued OAuth token invalid, as if it expired early. */
  revokeTokens(): void;
  /** Answer this route (`devices`, `users`, `acl`) with exactly this body, status 200; undefined: the real answer again. */
  setRawAnswer(route: 'devices' | 'users' | 'acl', body: string | undefined): void;
  close(): Promise<void>;
}

function etagOf(text: string, version: number): string {
  return `"${createHash('sha256').update(`${version}:${text}`).digest('hex').slice(0, 32)}"`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function hujsonErrors(text: string): ParseError[] {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: true });
  return errors;
}

export async function startFakeAdminApi(options: FakeAdminApiOptions = {}): Promise<FakeAdminApi> {
  const tailnet = options.tailnet ?? 'example.com';
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let version = 1;
  let failures: Array<{ user: string; errors: string[] }> = [];
  const initialPolicy = options.policy ?? DEFAULT_POLICY;
  const rawAnswers = new Map<string, string>();

  const state: FakeAdminApi = {
    baseUrl: '',
    calls: [],
    tokenRequests: 0,
    policy: { hujson: initialPolicy, etag: etagOf(initialPolicy, version) },
    devices: structuredClone(options.devices ?? DEFAULT_DEVICES),
    users: structuredClone(options.users ?? DEFAULT_USERS),
    dnsPreferences: { magicDNS: options.magicDNS ?? true },
    editPolicyElsewhere(hujson) {
      version++;
      state.policy = { hujson, etag: etagOf(hujson, version) };
    },
    setTestFailures(next) {
      failures = next;
    },
    revokeTokens() {
      tokens.clear();
    },
    setRawAnswer(route, body) {
      if (body === undefined) rawAnswers.delete(route);
      else rawAnswers.set(route, body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  function credentialOf(req: IncomingMessage): RecordedAdminCall['credential'] {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) return 'none';
    if (options.apiKey && match[1] === options.apiKey) return 'api-key';
    const expiry = tokens.get(match[1]!);
    if (expiry !== undefined && expiry > Date.now()) return 'oauth-token';
    return 'wrong';
  }

  function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
  }

  async function serveToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    state.tokenRequests++;
    const form = new URLSearchParams(await readBody(req));
    const oauth = options.oauth;
    if (!oauth || form.get('client_id') !== oauth.clientId || form.get('client_secret') !== oauth.clientSecret) {
      return json(res, 401, { message: 'invalid client credentials' });
    }
    const token = `tskey-api-fake-${randomBytes(8).toString('hex')}`;
    const ttl = oauth.tokenTtlSeconds ?? 3600;
    tokens.set(token, Date.now() + ttl * 1000);
    json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ttl, scope: form.get('scope') ?? 'all' });
  }

  async function servePolicySet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== state.policy.etag) {
      return json(res, 412, { message: 'precondition failed, invalid old hash' });
    }
    if (hujsonErrors(body).length > 0) return json(res, 400, { message: 'parsing HuJSON: invalid character' });
    if (failures.length > 0) return json(res, 400, { message: 'test(s) failed', data: failures });
    state.editPolicyElsewhere(body);
    res.writeHead(200, { 'Content-Type': 'application/hujson', ETag: state.policy.etag }).end(state.policy.hujson);
  }

  async function serveValidate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (hujsonErrors(body).length > 0) return json(res, 400, { message: 'parsing HuJSON: invalid character' });
    // The real endpoint answers 200 even when the policy's tests fail.
    if (failures.length > 0) return json(res, 200, { message: 'test(s) failed', data: failures });
    json(res, 200, {});
  }

  /** The real endpoint takes `{"magicDNS": bool}` and answers with the preferences as stored. */
  async function serveDnsPreferencesSet(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 400, { message: 'invalid JSON body' });
    }
    const magicDNS = (body as { magicDNS?: unknown } | null)?.magicDNS;
    if (typeof magicDNS !== 'boolean') return json(res, 400, { message: 'magicDNS: expected a boolean' });
    state.dnsPreferences = { magicDNS };
    json(res, 200, state.dnsPreferences);
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (path === 'oauth/token' && method === 'POST') return serveToken(req, res);
    const credential = credentialOf(req);
    if (credential === 'none' || credential === 'wrong') return json(res, 401, { message: 'API token invalid' });
    const tailnetMatch = /^tailnet\/([^/]+)\/(.+)$/.exec(path);
    if (tailnetMatch) {
      const [, name, rest] = tailnetMatch;
      if (name !== '-' && decodeURIComponent(name!) !== tailnet) return json(res, 404, { message: 'tailnet not found' });
      const raw = method === 'GET' ? rawAnswers.get(rest!) : undefined;
      if (raw !== undefined) {
        res.writeHead(200, { 'Content-Type': rest === 'acl' ? 'application/hujson' : 'application/json', ETag: state.policy.etag }).end(raw);
        return;
      }
      if (rest === 'acl' && method === 'GET') {
        const body =
          req.headers.accept === 'application/hujson' ? state.policy.hujson : JSON.stringify(parse(state.policy.hujson, [], { allowTrailingComma: true }));
        res
          .writeHead(200, { 'Content-Type': req.headers.accept === 'application/hujson' ? 'application/hujson' : 'application/json', ETag: state.policy.etag })
          .end(body);
        return;
      }
      if (rest === 'acl' && method === 'POST') return servePolicySet(req, res);
      if (rest === 'acl/validate' && method === 'POST') return serveValidate(req, res);
      if (rest === 'devices' && method === 'GET') return json(res, 200, { devices: state.devices });
      if (rest === 'users' && method === 'GET') return json(res, 200, { users: state.users });
      if (rest === 'dns/preferences' && method === 'GET') return json(res, 200, state.dnsPreferences);
      if (rest === 'dns/preferences' && method === 'POST') return serveDnsPreferencesSet(req, res);
      return json(res, 404, { message: 'not found' });
    }
    const deviceMatch = /^device\/([^/]+)(\/expire)?$/.exec(path);
    if (deviceMatch) {
      const id = decodeURIComponent(deviceMatch[1]!);
      const index = state.devices.findIndex((d) => d.id === id || d.nodeId === id);
      if (index === -1) return json(res, 404, { message: 'device not found' });
      if (deviceMatch[2] && method === 'POST') {
        state.devices[index]!.expires = new Date().toISOString();
        return json(res, 200, undefined);
      }
      if (!deviceMatch[2] && method === 'GET') return json(res, 200, state.devices[index]);
      if (!deviceMatch[2] && method === 'DELETE') {
        state.devices.splice(index, 1);
        return json(res, 200, undefined);
      }
    }
    json(res, 404, { message: 'not found' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedAdminCall = {
      method: req.method ?? '',
      path: url.pathname + url.search,
      status: 0,
      ifMatch: req.headers['if-match'],
      contentType: req.headers['content-type'],
      accept: req.headers.accept,
      credential: credentialOf(req),
    };
    state.calls.push(record);
    res.on('finish', () => (record.status = res.statusCode));
    if (!url.pathname.startsWith('/api/v2/')) return json(res, 404, { message: 'not found' });
    route(req, res, url.pathname.slice('/api/v2/'.length)).catch(() => json(res, 500, { message: 'fake admin API error' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/`;
  return state;
}
