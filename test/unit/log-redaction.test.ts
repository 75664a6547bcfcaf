import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('drops the arguments of a failed Redis command (AUTH carries the password from REDIS_URL)', async () => {
    const { logger, text } = capture();
    // The shape ioredis gives a refused AUTH, and every command rejected behind it.
    const error = Object.assign(new Error('WRONGPASS invalid username-password pair or user is disabled.'), {
      name: 'ReplyError',
      command: { name: 'auth', args: ['s3cret-redis-pw'] },
    });
    logger.warn({ err: error }, 'audit append failed');
    logger.debug({ err: error, queue: 'checks' }, 'redis error');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('WRONGPASS');
    expect(text()).toContain('"name":"auth"');
    expect(text()).not.toContain('s3cret-redis-pw');
  });
});
