/**
 * A loopback Slack that real, unmodified Bolt runs against (Socket Mode and HTTP mode).
 * No emulator on npm works with Bolt 5's native fetch, so the project keeps its own; the parts
 * live in `./slack/`, one concept per file. Start one per test file:
 *
 *   const emu = await startSlackEmulator({ users: [{ id: 'U_ONCALL', name: 'oncall' }] });
 *   const app = new App({ token: emu.identity.botToken, appToken: emu.identity.appToken,
 *     socketMode: true, clientOptions: { slackApiUrl: emu.apiUrl, retryConfig: { retries: 0 } } });
 */
export { startSlackEmulator, SlackEmulator, type SlackEmulatorOptions, type ClickButtonInput } from './slack/emulator.js';
export type { ApiCall, ResponseUrlPost } from './slack/traffic.js';
export type { Fault } from './slack/faults.js';
export type { WaitOptions } from './slack/journal.js';
export type { StoredMessage, EphemeralMessage, MessageContent } from './slack/message-store.js';
export type { EmulatedFile } from './slack/files.js';
export type { EnvelopeAck, SendOptions, SocketEvent } from './slack/socket-mode.js';
export { SLACK_ACK_TIMEOUT_MS } from './slack/socket-mode.js';
export type { SlashCommandInput, SlashCommandPayload, EventOptions, BlockActionsInput, ActionInput } from './slack/payloads.js';
export { DEFAULT_IDENTITY, type WorkspaceIdentity, type SeedUser, type SeedUserGroup, type SeedChannel, type SlackUserObject } from './slack/workspace.js';
export { blockKitProblems } from './slack/block-kit-limits.js';
export {
  signedRequest,
  slackSignature,
  slashCommandBody,
  interactionBody,
  eventBody,
  type SignedRequestOptions,
  type SlackHttpBody,
} from './slack/http-driver.js';
