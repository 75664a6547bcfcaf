import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * deploy/clawops-agent.service: the hardening it promises, and the options it must NOT carry
 * because they would blind the checks (a private network namespace empties /proc/net/tcp,
 * ProcSubset=pid hides /proc/net, PrivateUsers= drops the group that reads the EnvironmentFile,
 * MemoryDenyWriteExecute= breaks Node's JIT).
 */
const text = readFileSync(fileURLToPath(new URL('../../deploy/clawops-agent.service', import.meta.url)), 'utf8');
const directives = text
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('['))
  .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as const);
const values = (key: string) => directives.filter(([name]) => name === key).map(([, value]) => value);

describe('deploy/clawops-agent.service', () => {
  it.each([
    ['NoNewPrivileges', 'yes'],
    ['CapabilityBoundingSet', ''],
    ['AmbientCapabilities', ''],
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6'],
    ['RestrictNamespaces', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['SystemCallArchitectures', 'native'],
    ['UMask', '0077'],
  ])('%s=%s', (key, value) => {
    expect(values(key)).toEqual([value]);
  });

  it('runs unprivileged; the EnvironmentFile group comes from /etc/group, so a host without it still starts the unit', () => {
    expect(values('User')).toEqual(['clawops-agent']);
    // SupplementaryGroups= with a group the host lacks fails the unit with 216/GROUP.
    expect(values('SupplementaryGroups')).toEqual([]);
    expect(text).toContain('sudo usermod -aG openclaw-env clawops-agent');
  });

  it('runs the bin where `npm install -g --prefix /usr/local` of the packed tarball puts it', () => {
    expect(values('ExecStart')).toEqual(['/usr/local/bin/clawops agent --gateway ${CLAWOPS_GATEWAY}']);
    expect(text).toContain('sudo npm install -g --prefix /usr/local ./clawops-*.tgz');
  });

  it.each(['PrivateNetwork', 'ProcSubset', 'PrivateUsers', 'MemoryDenyWriteExecute', 'DynamicUser'])('does not set %s', (key) => {
    expect(values(key)).toEqual([]);
  });
});

describe('deploy/clawops-agent-firewall.conf', () => {
  const dropIn = readFileSync(fileURLToPath(new URL('../../deploy/clawops-agent-firewall.conf', import.meta.url)), 'utf8');
  const lines = dropIn
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('adds exactly what reading netfilter needs: CAP_NET_ADMIN and a netlink socket, nothing else', () => {
    expect(lines).toEqual(['[Service]', 'CapabilityBoundingSet=CAP_NET_ADMIN', 'AmbientCapabilities=CAP_NET_ADMIN', 'RestrictAddressFamilies=AF_NETLINK']);
  });
});
