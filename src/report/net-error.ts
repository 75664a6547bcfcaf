import type { NetError } from './report.js';

export const TLS_ALERT_INTERNAL_ERROR = 'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR';

/** Node's socket error codes, folded into the few kinds a verdict can act on. */
export function netErrorOf(error: unknown): { kind: NetError; errno?: string } {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  switch (errno) {
    case 'ECONNREFUSED':
      return { kind: 'refused', errno };
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { kind: 'timeout', errno };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'reset', errno };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return { kind: 'unreachable', errno };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'ENODATA':
      return { kind: 'dns', errno };
    case 'ABORT_ERR':
      return { kind: 'aborted', errno };
    default:
      break;
  }
  // A fatal internal_error alert answering our ClientHello is what Tailscale Serve (Go's crypto/tls)
  // sends when it has no certificate for the name: the same errno whichever Node API saw it.
  if (/alert internal error/i.test(message)) return { kind: 'tls', errno: TLS_ALERT_INTERNAL_ERROR };
  if (errno?.startsWith('ERR_SSL') || errno?.startsWith('ERR_TLS') || errno === 'EPROTO' || /SSL|TLS|certificate|wrong version number/i.test(message)) {
    return { kind: 'tls', errno: errno ?? 'TLS' };
  }
  if (errno === 'HPE_INVALID_CONSTANT' || errno?.startsWith('HPE_')) return { kind: 'tls', errno };
  return errno ? { kind: 'other', errno } : { kind: 'other' };
}
