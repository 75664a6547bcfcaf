import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseConfig } from '../../src/config/load.js';
import { renderTriggerReply } from '../../src/features/triggers/reply-blocks.js';
import { blockKitProblems } from '../support/slack-emulator.js';

const VALUES = { port: '443', gatewayPort: '18789', host: 'gw-prod.example-tailnet.ts.net', tokenEnv: 'CLAWOPS_PROD_TOKEN' };

describe('the trigger reply', () => {
  it('shows the row in its three columns, filled for the named gateway, with one Check button', () => {
    const reply = renderTriggerReply({
      symptom: 'tailnet-port-blocked',
      phrase: 'timed out',
      author: 'U0ONCALL',
      named: ['prod'],
      selectable: [],
      values: VALUES,
    });
    expect(blockKitProblems(reply.blocks)).toEqual([]);
    const json = JSON.stringify(reply.blocks);
    expect(json).toContain('*What you see*');
    expect(json).toContain('*Suspect first*');
    expect(json).toContain('*What to do*');
    expect(json).toContain('curl -fsS http://127.0.0.1:443/healthz');
    expect(json).toContain('"action_id":"trigger_check"');
    expect(json).toContain('"value":"{\\"gateway\\":\\"prod\\"}"');
  });

  it('a button per named gateway (unique action ids), a select when none is named', () => {
    const two = JSON.stringify(
      renderTriggerReply({ symptom: 'refused', phrase: 'econnrefused', author: 'U0ONCALL', named: ['prod', 'staging'], selectable: [], values: VALUES }).blocks,
    );
    expect(two).toContain('trigger_check:prod');
    expect(two).toContain('trigger_check:staging');
    const select = renderTriggerReply({
      symptom: 'refused',
      phrase: 'econnrefused',
      author: 'U0ONCALL',
      named: [],
      selectable: ['prod', 'staging'],
      values: VALUES,
    });
    expect(blockKitProblems(select.blocks)).toEqual([]);
    expect(JSON.stringify(select.blocks)).toContain('"type":"static_select"');
    const none = JSON.stringify(
      renderTriggerReply({ symptom: 'refused', phrase: 'econnrefused', author: 'U0ONCALL', named: [], selectable: [], values: VALUES }).blocks,
    );
    expect(none).toContain('none you may check from here');
  });

  it('escapes the phrase it echoes', () => {
    const json = JSON.stringify(
      renderTriggerReply({ symptom: 'ws-closed-early', phrase: '<!channel> closed (1000) `x`', author: 'U0ONCALL', named: [], selectable: [], values: VALUES })
        .blocks,
    );
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt;');
  });
});

describe('triggers: in clawops.yaml', () => {
  const base = 'gateways:\n  prod:\n    url: ws://127.0.0.1:18789\n';
  it('takes channel ids and #names, with cooldown defaults', () => {
    const config = parseConfig(`${base}triggers:\n  channels: ['#incidents', C0123ABCD, G0PRIVATE1]\n`, 'clawops.yaml');
    expect(config.triggers).toEqual({ channels: ['#incidents', 'C0123ABCD', 'G0PRIVATE1'], channelCooldownSeconds: 60, threadCooldownSeconds: 3600 });
  });

  it('refuses a channel that is neither, naming the path', () => {
    expect(() => parseConfig(`${base}triggers:\n  channels: [incidents]\n`, 'clawops.yaml')).toThrow(ConfigError);
    try {
      parseConfig(`${base}triggers:\n  channels: [incidents]\n`, 'clawops.yaml');
    } catch (error) {
      expect((error as ConfigError).issues.join('\n')).toMatch(/triggers\.channels\[0\]: expected a channel id .* or #name, got "incidents"/);
    }
  });
});
