import type { App, webApi } from '@slack/bolt';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { CheckEnrichment } from '../../render/enrichment.js';
import type { Config } from '../../config/schema.js';
import { gatewayNames, type Env } from '../../config/targets.js';
import type { Logger } from '../../log.js';
import { createProducerConnection, createWorkerConnection } from '../../queue/connection.js';
import { OFFBOARDING_JOBS } from './offboarding-jobs.js';
import type { DigestSectionProvider } from '../../render/digest-section.js';
import type { GroupMembership } from '../../slack/authorize.js';
import { createSlackDirectory, permalinkFor } from '../../slack/directory.js';
import type { SlackPoster } from '../../slack/poster.js';
import type { AuditLog } from '../../state/audit.js';
import type { AdminApiClient } from '../../tailscale/admin-api.js';
import { createOpenOffboardingProcessor } from '../../../jobs/offboarding-open.js';
import { createPollUsersProcessor } from '../../../jobs/offboarding-poll-users.js';
import { createRemindProcessor } from '../../../jobs/offboarding-remind.js';
import { startOffboardingWorker } from '../../../jobs/offboarding-worker.js';
import type { ChecklistDeps } from './actions/context.js';
import { adminApiFromConfig } from '../../tailscale/admin-api-config.js';
import { createChecklistMessages } from './checklist-messages.js';
import { createOffboardingCommands, type OffboardingCommands } from './command.js';
import { createOffboardingDigestSection } from './digest-section.js';
import { createOffboardingEnrichment } from './enrichment.js';
import type { SlackLocation } from './model.js';
import { createOffboardingQueue } from './queue.js';
import { registerOffboardingListeners } from './slack-listeners.js';
import { createOffboardingStore } from './store.js';
import { onUserChange } from './user-change.js';

/**
 * Offboarding, composed for the runtime from config + environment: nothing when the config has
 * no `offboarding:` section. The bot side registers the Slack listeners and answers
 * `/gateway offboard`; the worker side opens checklists, sends reminders and polls the tailnet's
 * users; both sides read the same store, which also feeds the verdict reminder and the digest.
 */
export interface OffboardingRuntime {
  enrichment: CheckEnrichment;
  commands: OffboardingCommands;
  /** For the digest: `digestSections: [offboarding.digestSection, …]`. */
  digestSection: DigestSectionProvider;
  registerSlack(app: App): void;
  startWorker(): void;
  close(): Promise<void>;
}

export interface OffboardingRuntimeDeps {
  config: Config;
  env: Env;
  redisUrl: string;
  prefix: string;
  /** The fail-fast state connection (request path). */
  redis: Redis;
  client: webApi.WebClient;
  poster: SlackPoster;
  audit: AuditLog;
  groups: GroupMembership;
  logger: Logger;
  now: () => number;
  newId: () => string;
}

export function createOffboardingRuntime(deps: OffboardingRuntimeDeps): OffboardingRuntime | undefined {
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
  const admin: { client?: AdminApiClient; problem?: string } = built?.ok ? { client: built.client } : { problem: built ? built.problem : 'tailscale.adminApi is not configured' };
  if (admin.problem) logger.warn({ problem: admin.problem }, 'offboarding without the Tailscale admin API: devices and policy groups are not listed');
  const producerRedis = createProducerConnection(deps.redisUrl);
  producerRedis.on('error', (error) => logger.debug({ err: error }, 'redis (offboarding producer) error'));
  const queue = createOffboardingQueue({ connection: producerRedis, prefix: deps.prefix, now });
  const directory = createSlackDirectory({ client: deps.client });
  const permalink = async (location: SlackLocation) => {
    const url = await directory.teamUrl();
    return url ? permalinkFor(url, location) : undefined;
  };
  const messages = createChecklistMessages({ poster: deps.poster, options: { dryRun: config.dryRun, applyPolicy: config.applyPolicy, maxDeletions: config.maxDeletions }, logger });
  const checklist: ChecklistDeps = { config, store, admin: admin.client, messages, queue, audit: deps.audit, groups: deps.groups, poster: deps.poster, permalink, logger, now };
  const enqueueOpen = queue.enqueueOpen;
  let worker: { worker: Worker; connection: Redis } | undefined;

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
    startWorker() {
      if (worker) return;
      const connection = createWorkerConnection(deps.redisUrl);
      connection.on('error', (error) => logger.debug({ err: error }, 'redis (offboarding worker) error'));
      const openDeps = { config, knownGateways, store, admin: admin.client, ...(admin.problem ? { adminProblem: admin.problem } : {}), poster: deps.poster, messages, queue, audit: deps.audit, logger, now, newId: deps.newId };
      worker = {
        connection,
        worker: startOffboardingWorker({
          connection,
          prefix: deps.prefix,
          logger,
          processors: {
            [OFFBOARDING_JOBS.open]: createOpenOffboardingProcessor(openDeps),
            [OFFBOARDING_JOBS.remind]: createRemindProcessor({ config, store, poster: deps.poster, queue, permalink, logger, now }),
            [OFFBOARDING_JOBS.pollUsers]: createPollUsersProcessor({ admin: admin.client, store, enqueueOpen }),
          },
        }),
      };
      const schedule = config.usersPoll.enabled && admin.client ? queue.schedulePoll(config.usersPoll.intervalMinutes * 60_000) : queue.removePoll();
      schedule.catch((error: unknown) => logger.warn({ err: error }, 'could not schedule the tailnet users poll'));
    },
    async close() {
      if (worker) {
        await worker.worker.close().catch((error: unknown) => logger.warn({ err: error }, 'closing the offboarding worker'));
        worker.connection.disconnect();
      }
      await queue.close().catch(() => undefined);
      producerRedis.disconnect();
    },
  };
}
