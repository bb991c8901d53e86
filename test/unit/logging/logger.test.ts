import assert from 'node:assert/strict';
import { createLogger, maskSecrets, releaseLogger, type Logger } from '../../../src/logging/logger';

// Obviously fake secrets, assembled at run time so that no credential-like literal is in the repo.
const BOT_TOKEN = ['xoxb', '1234', '5678', 'fakebot'].join('-');
const USER_TOKEN = ['xoxp', '1234', 'fakeuser'].join('-');
const APP_TOKEN = ['xapp', '1', 'A0FAKE', 'fakeapp'].join('-');
const SIGNING_SECRET = 'fake' + 'signingsecret0123';
const ACCESS_KEY_ID = 'AKIA' + 'FAKE'.repeat(4);
const SESSION_KEY_ID = 'ASIA' + 'FAKE'.repeat(4);
const SECRET_ACCESS_KEY = 'fake/' + 'secretaccesskey+0123456789';
const REDIS_PASSWORD = 'fake' + 'redispass';

const ALL_SECRETS = [
  BOT_TOKEN,
  USER_TOKEN,
  APP_TOKEN,
  SIGNING_SECRET,
  ACCESS_KEY_ID,
  SESSION_KEY_ID,
  SECRET_ACCESS_KEY,
  REDIS_PASSWORD,
];

/** A logger writing into an array, one parsed line per log call. */
function capture(level = 'info'): { logger: Logger; raw: string[]; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return { logger, raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function assertNoSecrets(raw: string[]): void {
  for (const line of raw) {
    const leaked = ALL_SECRETS.filter((secret) => line.includes(secret));
    if (leaked.length === 0) continue;
    const shown = leaked.reduce((out, secret) => out.split(secret).join('<LEAKED>'), line);
    assert.fail(
      `a secret leaked into the log line: ${shown.replace(/"stack":"(?:[^"\\]|\\.)*"/g, '"stack":…')}`,
    );
  }
}

describe('maskSecrets', () => {
  const CASES: [string, string, string][] = [
    ['a Slack bot token', `auth failed for ${BOT_TOKEN}`, 'auth failed for [REDACTED]'],
    ['a Slack user token', `token=${USER_TOKEN};`, 'token=[REDACTED];'],
    ['a Slack app token', `socket mode ${APP_TOKEN}`, 'socket mode [REDACTED]'],
    ['an AWS access key id', `key ${ACCESS_KEY_ID} denied`, 'key [REDACTED] denied'],
    ['an AWS temporary access key id', `key ${SESSION_KEY_ID}`, 'key [REDACTED]'],
    [
      'the password of a redis URL without a user',
      `connecting to redis://:${REDIS_PASSWORD}@redis:6379/0`,
      'connecting to redis://:***@redis:6379/0',
    ],
    [
      'the password of a rediss URL with a user',
      `rediss://default:${REDIS_PASSWORD}@cache.example.com:6380`,
      'rediss://default:***@cache.example.com:6380',
    ],
    ['several secrets in one text', `${BOT_TOKEN} and ${APP_TOKEN}`, '[REDACTED] and [REDACTED]'],
    ['nothing in a redis URL without a password', 'redis://redis:6379', 'redis://redis:6379'],
    ['nothing in ordinary text', 'deployed v1.2.0 to production', 'deployed v1.2.0 to production'],
    ['nothing in a word that only starts like a token', 'xoxb without a dash', 'xoxb without a dash'],
  ];
  for (const [what, input, expected] of CASES) {
    it(`masks ${what}`, () => {
      assert.equal(maskSecrets(input), expected);
    });
  }
});

describe('createLogger', () => {
  const OBJECTS: [string, Record<string, unknown>, string[]][] = [
    ['a token field', { token: BOT_TOKEN }, ['token']],
    [
      'Slack options',
      { slack: { botToken: BOT_TOKEN, appToken: APP_TOKEN, signingSecret: SIGNING_SECRET } },
      ['slack.botToken', 'slack.appToken', 'slack.signingSecret'],
    ],
    [
      'AWS credentials',
      { aws: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, sessionToken: BOT_TOKEN } },
      ['aws.accessKeyId', 'aws.secretAccessKey', 'aws.sessionToken'],
    ],
    [
      'a credentials object',
      { client: { credentials: { accessKeyId: ACCESS_KEY_ID } } },
      ['client.credentials'],
    ],
    [
      'an authorization header',
      { headers: { authorization: `Bearer ${BOT_TOKEN}` } },
      ['headers.authorization'],
    ],
    [
      'a request with an authorization header',
      { req: { headers: { authorization: `Bearer ${BOT_TOKEN}` } } },
      ['req.headers.authorization'],
    ],
    ['a password', { redis: { password: REDIS_PASSWORD } }, ['redis.password']],
    [
      'environment variables',
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      },
      ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'AWS_SECRET_ACCESS_KEY'],
    ],
  ];
  for (const [what, object, paths] of OBJECTS) {
    it(`redacts ${what} in a logged object`, () => {
      const { logger, raw, lines } = capture();
      logger.info(object, 'configured');
      assertNoSecrets(raw);
      const line = lines()[0] as Record<string, unknown>;
      for (const path of paths) {
        const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], line);
        assert.equal(value, '[REDACTED]', path);
      }
      assert.equal(line.msg, 'configured');
    });
  }

  const MESSAGES: [string, unknown[], string][] = [
    [
      'a redis URL with a password inside the message',
      [`connecting to redis://:${REDIS_PASSWORD}@redis:6379`],
      'connecting to redis://:***@redis:6379',
    ],
    ['a token inside the message', [`posting with ${BOT_TOKEN}`], 'posting with [REDACTED]'],
    ['a token in a format argument', ['posting with %s', BOT_TOKEN], 'posting with [REDACTED]'],
    [
      'secrets in a message after an object',
      [{ app: 'backend' }, `key ${ACCESS_KEY_ID} and ${APP_TOKEN}`],
      'key [REDACTED] and [REDACTED]',
    ],
  ];
  for (const [what, args, msg] of MESSAGES) {
    it(`masks ${what}`, () => {
      const { logger, raw, lines } = capture();
      (logger.info as (...a: unknown[]) => void)(...args);
      assertNoSecrets(raw);
      assert.equal(lines()[0]?.msg, msg);
    });
  }

  it('masks a token in the message and stack of a logged error', () => {
    const { logger, raw, lines } = capture();
    logger.error({ err: new Error(`invalid_auth for ${BOT_TOKEN}`) }, 'slack call failed');
    logger.error(new Error(`invalid_auth for ${BOT_TOKEN}`), 'slack call failed');
    assertNoSecrets(raw);
    for (const line of lines()) {
      const err = line.err as { message: string; stack: string };
      assert.equal(err.message, 'invalid_auth for [REDACTED]');
      assert.ok(err.stack.startsWith('Error: invalid_auth for [REDACTED]\n'));
      assert.equal(line.msg, 'slack call failed');
    }
  });

  it('masks a token in the cause of a logged error', () => {
    const { logger, raw } = capture();
    const cause = new Error(`rejected ${BOT_TOKEN}`);
    logger.error({ err: new Error('request failed', { cause }) }, 'slack call failed');
    assertNoSecrets(raw);
    assert.match(raw.join(''), /request failed: rejected \[REDACTED\]/);
  });

  // BUG (src/logging/logger.ts, hooks.logMethod): an Error logged without a message makes pino
  // use err.message as `msg`; the hook only masks string arguments, so the token reaches `msg`.
  it('masks a token in an error logged without a message of its own', () => {
    const { logger, raw, lines } = capture();
    logger.error(new Error(`invalid_auth for ${BOT_TOKEN}`));
    assertNoSecrets(raw);
    assert.equal((lines()[0]?.err as { message: string }).message, 'invalid_auth for [REDACTED]');
  });

  // BUG (src/logging/logger.ts, serializers.err): pino's err serializer copies every enumerable
  // property of an error unmasked. @slack/web-api's RequestError keeps the HTTP client's error in
  // `original`, whose `config.headers.Authorization` is `Bearer <bot token>`.
  it('masks the bot token inside the request an SDK error carries', () => {
    const { logger, raw } = capture();
    const original = Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      config: {
        url: 'https://slack.com/api/chat.postMessage',
        headers: { Authorization: `Bearer ${BOT_TOKEN}` },
      },
    });
    const err = Object.assign(new Error(`A request error occurred: ${original.message}`), {
      code: 'slack_webapi_request_error',
      original,
    });
    logger.error({ err }, 'posting the checklist failed');
    assertNoSecrets(raw);
  });

  it('writes the level as a label and the logger name', () => {
    const { logger, lines } = capture();
    logger.warn('careful');
    assert.equal(lines()[0]?.level, 'warn');
    assert.equal(lines()[0]?.name, 'deploybot');
  });

  it('drops lines below the configured level', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.info('shown');
    assert.deepEqual(
      lines().map((l) => l.msg),
      ['shown'],
    );
  });
});

describe('releaseLogger', () => {
  it('adds the release id to every line', () => {
    const { logger, lines } = capture();
    const log = releaseLogger(logger, 'r20261127t171340-3f9a');
    log.info('step started');
    log.warn({ step: 'deploy' }, 'slow');
    log.child({ attempt: 2 }).error('failed');
    assert.deepEqual(
      lines().map((l) => l.releaseId),
      ['r20261127t171340-3f9a', 'r20261127t171340-3f9a', 'r20261127t171340-3f9a'],
    );
  });

  it('adds the extra fields to every line', () => {
    const { logger, lines } = capture();
    releaseLogger(logger, 'r20261127t171340-3f9a', { app: 'backend', environment: 'production' }).info('hi');
    const line = lines()[0];
    assert.equal(line?.app, 'backend');
    assert.equal(line?.environment, 'production');
  });

  it('leaves the parent logger without a release id', () => {
    const { logger, lines } = capture();
    releaseLogger(logger, 'r20261127t171340-3f9a');
    logger.info('unrelated');
    assert.equal(lines()[0]?.releaseId, undefined);
  });

  it('still redacts and masks secrets', () => {
    const { logger, raw } = capture();
    releaseLogger(logger, 'r20261127t171340-3f9a').info({ token: BOT_TOKEN }, `with ${APP_TOKEN}`);
    assertNoSecrets(raw);
    assert.match(raw.join(''), /\[REDACTED\]/);
  });
});
