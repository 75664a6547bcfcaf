/**
 * The channel setup the channel conformance suite and the fixture recorder give a real Gateway:
 * one Telegram bot with three accounts whose policies drop messages in the three ways clawops
 * names. The bot tokens are made up (the Gateway here cannot reach Telegram anyway); they are
 * still treated as secrets: no report, fixture or verdict may contain them.
 */
export const TELEGRAM_BOT_TOKENS = {
  default: '123456789:AAConformanceDefaultBotTokenXXXXXXXXXX',
  ops: '223456789:AAConformanceOpsBotTokenXXXXXXXXXXXXXXX',
  grp: '323456789:AAConformanceGroupBotTokenXXXXXXXXXXXXXX',
} as const;

/** `default`: allowlist + empty allowFrom (every DM dropped) · `ops`: DMs disabled · `grp`: groups disabled. */
export const TELEGRAM_CHANNELS = {
  channels: {
    telegram: {
      enabled: true,
      botToken: TELEGRAM_BOT_TOKENS.default,
      dmPolicy: 'allowlist',
      allowFrom: [],
      accounts: {
        ops: { botToken: TELEGRAM_BOT_TOKENS.ops, dmPolicy: 'disabled' },
        grp: { botToken: TELEGRAM_BOT_TOKENS.grp, dmPolicy: 'pairing', groupPolicy: 'disabled' },
      },
    },
  },
};
