/**
 * Reading a Web API request the way Slack does: form-encoded or JSON bodies plus query-string
 * arguments; the token from `Authorization: Bearer` or (form bodies only) a `token` field;
 * `blocks`/`attachments`/`view` arrive as JSON strings inside forms and are decoded here so the
 * call log holds objects tests can assert on.
 */
import type { IncomingMessage } from 'node:http';

export interface ParsedApiRequest {
  params: Record<string, unknown>;
  token: string | undefined;
  /** A Slack error to answer with instead of running the method (malformed JSON and the like). */
  error?: string;
}

const JSON_STRING_FIELDS: Record<string, string> = {
  blocks: 'invalid_blocks_format',
  attachments: 'invalid_attachments',
  view: 'invalid_arguments',
  metadata: 'invalid_metadata_format',
  files: 'invalid_arguments',
};

export async function readBody(req: IncomingMessage, limitBytes = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new Error(`request body over ${limitBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseApiRequest(req: IncomingMessage, rawBody: string): ParsedApiRequest {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  let error: string | undefined;

  if (contentType === 'application/json') {
    try {
      const body: unknown = rawBody === '' ? {} : JSON.parse(rawBody);
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) Object.assign(params, body);
      else error = 'invalid_json';
    } catch {
      error = 'invalid_json';
    }
    // Slack reads the token of a JSON request only from the Authorization header.
    delete params.token;
    return withError({ params, token: bearer }, error);
  }

  if (contentType === 'application/x-www-form-urlencoded' || rawBody === '') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(rawBody)));
  } else {
    error = 'invalid_form_data';
  }
  const bodyToken = typeof params.token === 'string' ? params.token : undefined;
  delete params.token;
  for (const [field, failure] of Object.entries(JSON_STRING_FIELDS)) {
    const value = params[field];
    if (typeof value !== 'string') continue;
    try {
      params[field] = JSON.parse(value);
    } catch {
      error ??= failure;
    }
  }
  return withError({ params, token: bearer ?? bodyToken }, error);
}

function withError(parsed: ParsedApiRequest, error: string | undefined): ParsedApiRequest {
  return error === undefined ? parsed : { ...parsed, error };
}

/** Enough to tell which kind of token was used, never the token. */
export function maskToken(token: string | undefined): string {
  if (token === undefined || token === '') return '';
  const prefix = /^(xox[a-z]|xapp)-/.exec(token)?.[0] ?? '';
  return `${prefix}***`;
}
