// From the Web API client, not Bolt: a worker logs its posts through this and never loads Bolt.
import { LogLevel, type Logger as BoltLogger } from '@slack/web-api';
import type { Logger } from '../log.js';

/** Bolt (and the Web API client) log through our pino, with its redaction. */
export function boltLoggerFrom(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  let level: LogLevel = LogLevel.INFO;
  const text = (messages: unknown[]) =>
    messages.map((item) => (typeof item === 'string' ? item : item instanceof Error ? item.message : JSON.stringify(item))).join(' ');
  return {
    debug: (...messages) => child.debug(text(messages)),
    info: (...messages) => child.info(text(messages)),
    warn: (...messages) => child.warn(text(messages)),
    error: (...messages) => child.error(text(messages)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
