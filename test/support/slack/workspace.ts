/**
 * The emulated workspace: who the app is (ids and tokens) and the directory it can read
 * (users, user groups, channels). Objects are returned in the shapes the Web API documents,
 * so code under test parses exactly what it would get from Slack.
 */
export interface WorkspaceIdentity {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  botId: string;
  botName: string;
  botToken: string;
  appToken: string;
  /** The bot token's scopes, when a test wants them enforced (file methods need `files:write`). */
  botScopes?: readonly string[];
}

export const DEFAULT_IDENTITY: WorkspaceIdentity = {
  teamId: 'T0TEST0001',
  teamDomain: 'clawops-test',
  appId: 'A0TEST0001',
  botUserId: 'U0BOT00001',
  botId: 'B0BOT00001',
  botName: 'clawops',
  botToken: 'xoxb-test',
  appToken: 'xapp-test',
};

export interface SeedUser {
  id: string;
  name: string;
  email?: string;
  realName?: string;
  deleted?: boolean;
  isBot?: boolean;
}

export interface SeedUserGroup {
  id: string;
  handle: string;
  name?: string;
  users: string[];
}

export interface SeedChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
}

/** A user as `users.info` returns it (the fields clawops can rely on). */
export interface SlackUserObject {
  id: string;
  team_id: string;
  name: string;
  deleted: boolean;
  real_name: string;
  is_bot: boolean;
  is_app_user: boolean;
  updated: number;
  profile: { real_name: string; display_name: string; email?: string; team: string };
}

export class Directory {
  private readonly users = new Map<string, SeedUser>();
  private readonly groups = new Map<string, SeedUserGroup>();
  private readonly channels = new Map<string, SeedChannel>();
  private updatedAt = 1_700_000_000;

  constructor(private readonly identity: WorkspaceIdentity) {}

  addUser(user: SeedUser): void {
    this.users.set(user.id, { ...user });
  }

  /** Change a seeded user (e.g. `{ deleted: true }` for an offboarding), returning the new object. */
  updateUser(id: string, patch: Partial<Omit<SeedUser, 'id'>>): SlackUserObject {
    const user = this.users.get(id);
    if (user === undefined) throw new Error(`slack emulator: no seeded user ${id}`);
    this.users.set(id, { ...user, ...patch });
    this.updatedAt += 1;
    return this.slackUser(id)!;
  }

  addUserGroup(group: SeedUserGroup): void {
    this.groups.set(group.id, { ...group, users: [...group.users] });
  }

  addChannel(channel: SeedChannel): void {
    this.channels.set(channel.id, { ...channel });
  }

  slackUser(id: string): SlackUserObject | undefined {
    const user = this.users.get(id);
    if (user === undefined) return undefined;
    const realName = user.realName ?? user.name;
    return {
      id: user.id,
      team_id: this.identity.teamId,
      name: user.name,
      deleted: user.deleted ?? false,
      real_name: realName,
      is_bot: user.isBot ?? false,
      is_app_user: false,
      updated: this.updatedAt,
      profile: {
        real_name: realName,
        display_name: user.name,
        ...(user.email !== undefined ? { email: user.email } : {}),
        team: this.identity.teamId,
      },
    };
  }

  userByEmail(email: string): SlackUserObject | undefined {
    const wanted = email.toLowerCase();
    for (const user of this.users.values()) {
      if (user.email?.toLowerCase() === wanted) return this.slackUser(user.id);
    }
    return undefined;
  }

  userName(id: string): string | undefined {
    return this.users.get(id)?.name;
  }

  userGroup(id: string): SeedUserGroup | undefined {
    return this.groups.get(id);
  }

  userGroups(): SeedUserGroup[] {
    return [...this.groups.values()];
  }

  channel(id: string): SeedChannel | undefined {
    return this.channels.get(id);
  }

  channelByName(name: string): SeedChannel | undefined {
    for (const channel of this.channels.values()) if (channel.name === name) return channel;
    return undefined;
  }

  /** Deterministic and readable: U_ONCALL → D_ONCALL, U0AB12 → D0AB12. */
  dmChannelId(userId: string): string {
    return `D${userId.replace(/^[UW]/, '')}`;
  }

  /** A `#name`, a user id (→ their DM) or an id, resolved the way chat.postMessage does. */
  resolvePostTarget(channel: string): string | undefined {
    if (channel.startsWith('#')) return this.channelByName(channel.slice(1))?.id;
    if (this.users.has(channel)) return this.dmChannelId(channel);
    return channel;
  }
}
