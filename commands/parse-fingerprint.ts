import { suggest } from '../src/suggest.js';

/**
 * `/gateway fingerprint <name>` and `/gateway ticket <name>` text → command, PURE (parse.ts
 * dispatches here). Failures carry a bare message; parse.ts appends the usage.
 */
export type FingerprintCommand = { kind: 'fingerprint'; gateway: string } | { kind: 'ticket'; gateway: string };

export type FingerprintParse = { ok: true; command: FingerprintCommand } | { ok: false; message: string };

export const FINGERPRINT_USAGE = [
  '`/gateway fingerprint <name>` — the current and last good success fingerprints and what changed (only you see it)',
  '`/gateway ticket <name>` — upload the ticket bundle (check report, fingerprint and diff, doctor lint, last failure; secrets scrubbed) to a thread here',
];

export function parseFingerprintCommand(kind: FingerprintCommand['kind'], args: string[], known: readonly string[]): FingerprintParse {
  if (args.length !== 1) return { ok: false, message: `\`/gateway ${kind}\` takes one gateway name, e.g. \`/gateway ${kind} ${known[0] ?? 'prod'}\`` };
  const name = args[0]!.toLowerCase().replace(/^`|`$/g, '');
  if (known.includes(name)) return { ok: true, command: { kind, gateway: name } };
  const hint = suggest(name, known);
  return { ok: false, message: `No gateway named \`${name.replace(/`/g, "'").slice(0, 40)}\`.${hint ? ` Did you mean \`${hint}\`?` : ''}` };
}
