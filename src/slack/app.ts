import { App, LogLevel } from '@slack/bolt';
import type { SlackEnv } from '../config/env.js';
import type { Logger } from '../log.js';
import { boltLoggerFrom } from './bolt-logger.js';

/**
 * The Bolt app: Socket Mode by default (no inbound port, which suits a loopback-first host), HTTP
 * with request signing as an option, listening on 127.0.0.1 unless configured otherwise.
 * `apiUrl` points the Web API (and `apps.connections.open`) elsewhere: GovSlack, or the tests' emulator.
 */
export interface SlackApp {
  app: App;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Socket Mode: connected / reconnecting (for readiness); HTTP mode: listening. */
  onConnectionChange(listener: (connected: boolean, detail: string) => void): void;
}

export function createSlackApp(deps: { slack: SlackEnv; logger: Logger; retries?: number }): SlackApp {
  const { slack } = deps;
  // Our own retry policy: Socket Mode would otherwise write a 100-retry policy into the shared options.
  const clientOptions = {
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
    retryConfig: { retries: deps.retries ?? 3, factor: 2, minTimeout: 200, maxTimeout: 5_000 },
  };
  const logger = boltLoggerFrom(deps.logger);
  const logLevel = LogLevel.WARN;
  const app =
    slack.mode === 'socket'
      ? new App({ token: slack.botToken, appToken: slack.appToken, socketMode: true, logger, logLevel, clientOptions })
      : new App({ token: slack.botToken, signingSecret: slack.signingSecret, logger, logLevel, clientOptions });
  let started = false;
  const listeners: Array<(connected: boolean, detail: string) => void> = [];
  const tell = (connected: boolean, detail: string) => listeners.forEach((listener) => listener(connected, detail));
  if (slack.mode === 'socket') {
    // Bolt keeps its Socket Mode client on the (private) receiver; its state events are public.
    const client = (app as unknown as { receiver?: { client?: { on(event: string, listener: () => void): void } } }).receiver?.client;
    client?.on('connected', () => tell(true, 'socket connected'));
    client?.on('reconnecting', () => tell(false, 'socket reconnecting'));
    client?.on('disconnected', () => tell(false, 'socket disconnected'));
  }
  return {
    app,
    async start() {
      if (slack.mode === 'socket') await app.start();
      else await app.start({ port: slack.http.port, host: slack.http.host });
      started = true;
      tell(true, slack.mode === 'socket' ? 'socket connected' : 'listening for requests');
    },
    onConnectionChange(listener) {
      listeners.push(listener);
    },
    async stop() {
      if (!started) return;
      started = false;
      await app.stop();
    },
  };
}
