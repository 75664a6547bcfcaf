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
  if (byId) return checked(byId, 'override', `offboarding.identities.${person.slackUserId}`);
  const email = person.email?.trim();
  if (email) {
    const byEmail = lowered.get(email.toLowerCase());
    if (byEmail) return checked(byEmail, 'override', `offboarding.identities["${email.toLowerCase()}"]`);
    return checked(email.toLowerCase(), 'email', "the person's Slack e-mail");
  }
  return { ok: false, reason: 'Slack gave no e-mail for this user (the app needs users:read.email) and offboarding.identities has no entry for them' };
}

function checked(login: string, via: 'override' | 'email', source: string): LoginResolution {
  return looksLikeLogin(login)
    ? { ok: true, login, via }
    : { ok: false, reason: `${source} is not a tailnet login (expected name@domain, e.g. departed@example.test or contractor@github)` };
}

/** Longest login accepted (an e-mail address is at most 254 characters). */
export const MAX_LOGIN_LENGTH = 254;
const LOGIN = /^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/**
 * `departed@example.test`, `contractor@github`, `name@passkey`: what a tailnet login looks like —
 * an e-mail-shaped name, and nothing Slack would read as markup (`<`, `>`, `|`, `&`, spaces).
 */
export function looksLikeLogin(text: string): boolean {
  return text.length <= MAX_LOGIN_LENGTH && LOGIN.test(text);
}
