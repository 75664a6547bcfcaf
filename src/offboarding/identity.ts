/**
 * Slack user → tailnet login. The login is the Slack e-mail unless the config says otherwise:
 * `identities` maps a Slack user id or an e-mail to a login (`contractor@github` for a tailnet that
 * signs in with GitHub). PURE.
 */
export interface SlackPerson {
  slackUserId?: string;
  email?: string;
}

export type LoginResolution = { ok: true; login: string; via: 'override' | 'email' } | { ok: false; reason: string };

export function tailnetLoginFor(person: SlackPerson, identities: Readonly<Record<string, string>>): LoginResolution {
  const lowered = new Map(Object.entries(identities).map(([key, login]) => [key.toLowerCase(), login]));
  const byId = person.slackUserId ? identities[person.slackUserId] : undefined;
  if (byId) return { ok: true, login: byId, via: 'override' };
  const email = person.email?.trim();
  if (email) {
    const byEmail = lowered.get(email.toLowerCase());
    if (byEmail) return { ok: true, login: byEmail, via: 'override' };
    return { ok: true, login: email.toLowerCase(), via: 'email' };
  }
  return { ok: false, reason: 'Slack gave no e-mail for this user (the app needs users:read.email) and offboarding.identities has no entry for them' };
}

/** `departed@example.test`, `contractor@github`: what a tailnet login looks like. */
export function looksLikeLogin(text: string): boolean {
  return /^[^\s@<>]+@[^\s@<>]+$/.test(text);
}
