import type { ProbeReport } from '../report/report.js';
import type { Verdict } from './verdict.js';

/**
 * "This is staging's token": a rejected token that clawops knows as another gateway's — configured
 * for it in clawops.yaml, or carried by its systemd unit (host agent) — is a mix-up between two
 * Gateways, typically two on one host. Said with names, env names and a fingerprint; never the token.
 */
export function explainTokenOwner(primary: Verdict, report: ProbeReport): void {
  if (primary.id !== 'auth-rejected' && primary.id !== 'unit-token-drift') return;
  const owners = report.tokenOwners ?? [];
  if (owners.length === 0) return;
  const names = [...new Set(owners.map((owner) => owner.gateway))];
  const whose = names.length === 1 ? `${names[0]}'s` : `the token of ${names.join(' and ')}`;
  const env = report.gateway.tokenEnv;
  const lines = owners.map((owner) =>
    owner.via === 'config'
      ? `the token sent (fingerprint ${owner.fingerprint}, from ${env}) is the one configured for ${owner.gateway} (${owner.tokenEnv ?? 'its tokenEnv'})`
      : `the token sent (fingerprint ${owner.fingerprint}, from ${env}) is the one ${owner.gateway}'s systemd unit gives its Gateway (its host agent)`,
  );
  primary.evidence.unshift(
    `this is ${names.length === 1 ? `${names[0]}'s token` : whose}: ${report.gateway.name} was sent a token that belongs to ${names.join(' and ')}`,
  );
  primary.evidence.push(...lines);
  primary.suspect = `a token mix-up between Gateways: ${env} holds ${whose} token, not ${report.gateway.name}'s (two Gateways on one host, or swapped env vars)`;
  primary.notes.unshift(
    `set ${env} to ${report.gateway.name}'s own token (\`gateway.auth.token\` in its openclaw.json, or its unit's OPENCLAW_GATEWAY_TOKEN); check that each gateway's URL reaches its own port`,
  );
}
