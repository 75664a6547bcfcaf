import type { Config } from '../src/config/schema.js';
import type { Logger } from '../src/log.js';
import type { CheckProducer } from '../src/queue/producer.js';
import type { GroupMembership } from '../src/slack/authorize.js';
import type { SlackPoster } from '../src/slack/poster.js';
import type { AuditLog } from '../src/state/audit.js';
import type { LastStateStore } from '../src/state/last-state.js';
import type { MonitoringServices } from '../src/features/monitoring/services.js';
import type { AclAuditService } from '../src/features/acl/acl-service.js';
import type { OffboardingCommands } from '../src/features/offboarding/command.js';
import type { PendingChecks } from '../src/state/pending-checks.js';
import type { SlackText } from '../src/render/slack-text.js';
import type { AcceptFeature } from '../src/features/accept/feature.js';
import type { FingerprintFeature } from '../src/features/fingerprint/index.js';
import type { TicketFeature } from '../src/features/fingerprint/ticket/index.js';

/** What the handlers get from the composition root; nothing global. */
export interface CommandDeps {
  config: Config;
  producer: CheckProducer;
  poster: SlackPoster;
  groups: GroupMembership;
  audit: AuditLog;
  lastState: LastStateStore;
  logger: Logger;
  now: () => number;
  newId: () => string;
  /** The tailnet ACL audit (`/gateway acl`); absent: the command says how to configure it. */
  acl?: AclAuditService;
  /** History, maintenance windows and digests (`/gateway history|maintenance|digest`). */
  monitoring?: MonitoringServices;
  /** `/gateway offboard`; absent when the config has no `offboarding:` section. */
  offboarding?: OffboardingCommands;
  /** Accepted checks with a placeholder, for the stale-placeholder sweeper. */
  pending?: PendingChecks;
  /** `/gateway accept <name>` (src/features/accept/); absent: the command says it is not available here. */
  accept?: AcceptFeature;
  /** `/gateway fingerprint` (src/features/fingerprint). */
  fingerprints?: FingerprintFeature;
  /** `/gateway ticket` (src/features/fingerprint/ticket). */
  tickets?: TicketFeature;
}

/** An ephemeral reply to the person who asked (through Bolt's `respond`): escaped text only. */
export type ReplyEphemeral = (text: SlackText) => Promise<void>;
