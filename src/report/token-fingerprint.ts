import { createHash } from 'node:crypto';

/**
 * A token's fingerprint: the only form of a Gateway token that may leave the process (reports, logs,
 * Slack). The domain prefix keeps it from matching a plain sha256 of the token that some other tool
 * might publish; 12 hex digits (48 bits) tell two tokens apart without helping anyone guess one.
 */
const DOMAIN = 'clawops-token-fingerprint:';

export function tokenFingerprint(token: string): string {
  return createHash('sha256')
    .update(DOMAIN + token, 'utf8')
    .digest('hex')
    .slice(0, 12);
}
