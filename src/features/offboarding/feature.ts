import type { App, webApi } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { CheckEnrichment } from '../../render/enrichment.js';
import type { Config } from '../../config/schema.js';
import { gatewayNames, type Env } from '../../config/targets.js';
import type { Logger } from '../../log.js';
import type { OpenJob } from './offboarding-jobs.js';
import type { DigestSectionProvider } from '../../render/digest-section.js';
import type { GroupMembership } from '../../slack/authorize.js';
import { createSlackDirectory, permalinkFor } from '../../slack/directory.js';
import type { SlackPoster } from '../../slack/poster.js';
import type { AuditLog } from '../../state/audit.js';
import type { AdminApiClient } from '../../tailscale/admin-api.js';
import type { ChecklistDeps } from './actions/context.js';
import { adminApiFromConfig } from '../../tailscale/admin-api-config.js';
import { createChecklistMessages } from './checklist-messages.js';
import { createOffboardingCommands, type OffboardingCommands } from './command.js';
import { createOffboardingDigestSection } from './digest-section.js';
import { createOffboardingEnrichment } from './enrichment.js';
import type { SlackLocation } from './model.js';
import { createOffboardingQueue } from './queue.js';
import type { OpenDeps } from './open.js';
import type { ReminderDeps } from './reminders.js';
import type { OffboardingStore } from './store.js';
import { registerOffboardingListeners } from './slack-listeners.js';
import { createOffboardingStore } from './store.js';
import { onUserChange } from './user-change.js';

/**
 * Offboarding as one slice, built from config + the parts the composition root owns (Redis
 * connections, the Slack client, the poster, the audit log): nothing when the config has no
 * `offboarding:` section. The bot side registers the Slack listeners and answers
 * `/gateway offboard`; the worker side (jobs/offboarding-*.ts, started by the composition root)
 * opens checklists, sends reminders and polls the tailnet's users; both read the same store, which
 * also feeds the verdict reminder and the digest.
 */
export interface OffboardingFeature {
  enrichment: CheckEnrichment;
  commands: OffboardingCommands;
  /** For the digest: `digestSections: [offboarding.digestSection, …]`. */
  digestSection: DigestSectionProvider;
  registerSlack(app: App): void;
  /** What the job processors of jobs/offboarding-*.ts need, one entry per job kind. */
  jobs: OffboardingJobDeps;
  /** Puts the users poll on its schedule (or takes it off when disabled): once, on the worker side. */
  schedulePoll(): Promise<void>;
  /** Closes the feature's queue (the connections are the composition root's). */
  close(): Promise<void>;
}

export interface OffboardingJobDeps {
  open: OpenDeps;
  remind: ReminderDeps;
  pollUsers: { admin: AdminApiClient | undefined; store: OffboardingStore; enqueueOpen: (job: OpenJob) => Promise<void> };
}

export interface OffboardingFeatureDeps {
  config: Config;
  env: Env;
  prefix: string;
  /** The fail-fast state connection (request path). */
  redis: Redis;
  /** The connection the feature's queue enqueues on. */
  producerConnection: Redis;
  client: webApi.WebClient;
  poster: SlackPoster;
  audit: AuditLog;
  groups: GroupMembership;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

export function createOffboardingFeature(deps: OffboardingFeatureDeps): OffboardingFeature | undefined {
  const config = deps.config.offboarding;
  if (!config) return undefined;
  const { logger, now } = deps;
  const knownGateways = () => gatewayNames(deps.config);
  const unknown = config.tokenAccess.flatMap((rule) => (rule.gateways === '*' ? [] : rule.gateways.filter((name) => !knownGateways().includes(name))));
  if (unknown.length) logger.warn({ gateways: unknown }, 'offboarding.tokenAccess names gateways that are not configured: they are ignored');

  const store = createOffboardingStore({ redis: deps.redis, prefix: deps.prefix });
  // The admin API of `tailscale.adminApi`, shared with the ACL audit.
  const settings = deps.config.tailscale?.adminApi;
  const built = settings ? adminApiFromConfig(settings, deps.env) : undefined;
  const admin: { client?: AdminApiClient; problem?: string } = built?.ok
    ? { client: built.client }
    : { problem: built ? built.problem : 'tailscale.adminApi is not configured' };
  if (admin.problem) logger.warn({ problem: admin.problem }, 'offboarding without the Tailscale admin API: devices and policy groups are not listed');
  const queue = createOffboardingQueue({ connection: deps.producerConnection, prefix: deps.prefix, now });
  const directory = createSlackDirectory({ client: deps.client });
  const permalink = async (location: SlackLocation) => {
    const url = await directory.teamUrl();
    return url ? permalinkFor(url, location) : undefined;
  };
  const messages = createChecklistMessages({
    poster: deps.poster,
    options: { dryRun: config.dryRun, applyPolicy: config.applyPolicy, maxDeletions: config.maxDeletions },
    logger,
  });
  const checklist: ChecklistDeps = {
    config,
    store,
    admin: admin.client,
    messages,
    queue,
    audit: deps.audit,
    groups: deps.groups,
    poster: deps.poster,
    permalink,
    logger,
    now,
  };
  const enqueueOpen = queue.enqueueOpen;

  return {
    enrichment: createOffboardingEnrichment({ store, now, permalink }),
    commands: createOffboardingCommands({ config, store, directory, groups: deps.groups, enqueueOpen, permalink, audit: deps.audit, logger, now }),
    digestSection: createOffboardingDigestSection({ store, now, permalink }),
    registerSlack(app) {
      registerOffboardingListeners(app, {
        checklist,
        onUserChange: (input) => onUserChange({ config, store, enqueueOpen, poster: deps.poster, audit: deps.audit, logger, now }, input),
        logger,
      });
    },
    jobs: {
      open: {
        config,
        knownGateways,
        store,
        admin: admin.client,
        ...(admin.problem ? { adminProblem: admin.problem } : {}),
        poster: deps.poster,
        messages,
        queue,
        audit: deps.audit,
        logger,
        now,
        newId: deps.newId,
      },
      remind: { config, store, poster: deps.poster, queue, permalink, logger, now },
      pollUsers: { admin: admin.client, store, enqueueOpen },
    },
    schedulePoll() {
      return config.usersPoll.enabled && admin.client ? queue.schedulePoll(config.usersPoll.intervalMinutes * 60_000) : queue.removePoll();
    },
    async close() {
      await queue.close().catch(() => undefined);
    },
  };
}
