import type { webApi } from '@slack/bolt';
import * as z from 'zod';

type WebClient = webApi.WebClient;

/**
 * The little of Slack's directory offboarding reads: a user's e-mail (to map them to a tailnet
 * login) and the workspace URL (for permalinks to a checklist). Answers are parsed, not trusted.
 */
export interface SlackDirectory {
  user(id: string): Promise<SlackPersonInfo | undefined>;
  /** `https://example.slack.com/`, from auth.test (cached). */
  teamUrl(): Promise<string | undefined>;
}

export interface SlackPersonInfo {
  id: string;
  email?: string;
  name?: string;
  deleted: boolean;
  isBot: boolean;
}

const UserSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  deleted: z.boolean().optional(),
  is_bot: z.boolean().optional(),
  real_name: z.string().optional(),
  profile: z.looseObject({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
});

export function createSlackDirectory(deps: { client: WebClient }): SlackDirectory {
  let url: Promise<string | undefined> | undefined;
  return {
    async user(id) {
      try {
        const answer = await deps.client.users.info({ user: id });
        const parsed = UserSchema.safeParse(answer.user);
        if (!parsed.success) return undefined;
        const user = parsed.data;
        return {
          id: user.id,
          deleted: user.deleted ?? false,
          isBot: user.is_bot ?? false,
          ...(user.profile?.email ? { email: user.profile.email } : {}),
          ...(user.real_name || user.name ? { name: user.real_name ?? user.name } : {}),
        };
      } catch {
        return undefined;
      }
    },
    teamUrl() {
      url ??= deps.client.auth
        .test()
        .then((answer) =>
          typeof answer.url === 'string' && /^https?:\/\//.test(answer.url) ? (answer.url.endsWith('/') ? answer.url : `${answer.url}/`) : undefined,
        )
        .catch(() => {
          url = undefined;
          return undefined;
        });
      return url;
    },
  };
}

/** Slack's message permalink shape: `<workspace>/archives/<channel>/p<ts without the dot>`. */
export function permalinkFor(teamUrl: string, location: { channel: string; ts: string }): string {
  return `${teamUrl}archives/${location.channel}/p${location.ts.replace('.', '')}`;
}
