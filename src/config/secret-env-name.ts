import * as z from '../zod-mini.js';

/**
 * A config field that NAMES the environment variable holding a secret — every `…Env` key of
 * clawops.yaml (`tokenEnv`, `tailscale.adminApi.apiKeyEnv`, `redis.passwordEnv`, …) and
 * `--token-env`. The commonest mistake there is pasting the secret itself, so:
 * - the error never repeats the value (config errors land in terminals, CI logs, journald, tickets);
 * - a value shaped like a credential is refused even when it would pass as a name (an upper-case
 *   hex token is a valid variable name), since a name is later printed ("X is not set on this node").
 */

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/** Longer than any variable name anyone writes; anything this long is a pasted value. */
const MAX_NAME_LENGTH = 128;

/** Prefixes of the credentials clawops is given: Tailscale, Slack, and the usual API key shapes. */
const CREDENTIAL_PREFIX = /^(tskey-|xox[abposre]-|xapp-|ghp_|gho_|github_pat_|glpat-|sk-|sk_live_|sk_test_|Bearer\s)/i;

/**
 * A word of a variable name is a word (`CLAWOPS`, `TOKEN`, `V2`); a long run of letters and digits
 * mixed is what a random token looks like (hex, base32, base64url), and so is any very long run.
 */
const LONG_RUN = /[A-Za-z0-9]{16,}/g;

/** Whether `value` looks like a credential rather than the name of a variable. */
export function looksLikeCredential(value: string): boolean {
  if (value.length > MAX_NAME_LENGTH || CREDENTIAL_PREFIX.test(value.trim())) return true;
  return (value.match(LONG_RUN) ?? []).some((run) => run.length >= 32 || (count(run, /[0-9]/g) >= 2 && count(run, /[A-Za-z]/g) >= 2));
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

/**
 * The zod field for one such key. `example` is a name to suggest (TS_API_KEY), `holds` what the
 * variable holds ("the API key"), for the message when a credential was pasted.
 */
export function secretEnvName(example: string, holds: string) {
  const expected = `expected the NAME of an environment variable, e.g. ${example}`;
  // zod's mini API: `--token-env` validates this on `clawops check`'s path (src/zod-mini.ts).
  return z.string().check(
    z.superRefine((value: string, ctx) => {
      if (looksLikeCredential(value)) {
        ctx.addIssue({ code: 'custom', message: `${expected}; the value looks like ${holds} itself — it was not printed` });
      } else if (!ENV_NAME.test(value)) {
        ctx.addIssue({ code: 'custom', message: `${expected} (upper-case letters, digits and _), not ${holds} itself; the value was not printed` });
      }
    }),
  );
}
