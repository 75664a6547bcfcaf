import type { Requester } from '../src/slack/authorize.js';
import type { CommandDeps } from './deps.js';
import { writeAudit } from '../src/state/audit.js';

/**
 * The audit trail of one command: every outcome (answered, refused, failed) is appended to the
 * audit stream and logged, and an audit failure never changes what the person hears.
 */
export function commandAudit(deps: CommandDeps, requester: Requester, command: string, target?: string): (outcome: string) => Promise<void> {
  const started = deps.now();
  return async (outcome) => {
    await writeAudit(deps.audit, deps.logger, {
      at: deps.now(),
      user: requester.userId,
      channel: requester.channelId,
      command,
      ...(target ? { target } : {}),
      outcome,
      durationMs: deps.now() - started,
    });
    deps.logger.info({ user: requester.userId, channel: requester.channelId, command, target, outcome }, 'gateway command');
  };
}
