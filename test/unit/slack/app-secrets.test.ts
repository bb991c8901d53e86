import assert from 'node:assert/strict';
import { ConfigError } from '../../../src/domain/errors';
import { slackSecretsFromEnv, type SlackSecrets } from '../../../src/slack/app';

// Built at run time so that no token-shaped literal sits in the source.
const BOT = ['xoxb', 'test', 'bot', String(process.pid)].join('-');
const APP = ['xapp', 'test', 'app', String(process.pid)].join('-');
const SIGNING = ['signing', 'secret', String(process.pid)].join('-');

describe('slackSecretsFromEnv', () => {
  const OFF: { name: string; env: NodeJS.ProcessEnv }[] = [
    { name: 'nothing is set', env: {} },
    { name: 'SLACK_BOT_TOKEN is empty', env: { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: SIGNING } },
    { name: 'SLACK_BOT_TOKEN is blank', env: { SLACK_BOT_TOKEN: '  \t', SLACK_APP_TOKEN: APP } },
    {
      name: 'only the other Slack settings are set',
      env: { SLACK_SIGNING_SECRET: SIGNING, SLACK_APP_TOKEN: APP },
    },
  ];
  for (const { name, env } of OFF) {
    it(`turns Slack off (undefined) when ${name}`, () => {
      assert.equal(slackSecretsFromEnv(env), undefined);
    });
  }

  const REFUSED: { name: string; env: NodeJS.ProcessEnv }[] = [
    { name: 'without a signing secret or an app token', env: { SLACK_BOT_TOKEN: BOT } },
    {
      name: 'with a blank signing secret and a blank app token',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: ' ', SLACK_APP_TOKEN: '' },
    },
    {
      name: 'with only an API URL besides',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_API_URL: 'http://127.0.0.1:1/api/' },
    },
  ];
  for (const { name, env } of REFUSED) {
    it(`throws ConfigError for a bot token ${name}, naming both settings`, () => {
      assert.throws(
        () => slackSecretsFromEnv(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.code, 'config_invalid');
          assert.match(error.message, /SLACK_SIGNING_SECRET/);
          assert.match(error.message, /SLACK_APP_TOKEN/);
          assert.ok(!error.message.includes(BOT), 'the message shows the token');
          return true;
        },
      );
    });
  }

  const ACCEPTED: { name: string; env: NodeJS.ProcessEnv; expected: SlackSecrets }[] = [
    {
      name: 'HTTP mode with a signing secret',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING },
      expected: { botToken: BOT, signingSecret: SIGNING },
    },
    {
      name: 'Socket Mode with an app token',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP },
      expected: { botToken: BOT, appToken: APP },
    },
    {
      name: 'Socket Mode (app token) even when a signing secret is also set',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: SIGNING },
      expected: { botToken: BOT, appToken: APP, signingSecret: SIGNING },
    },
    {
      name: 'the API URL from SLACK_API_URL',
      env: {
        SLACK_BOT_TOKEN: BOT,
        SLACK_SIGNING_SECRET: SIGNING,
        SLACK_API_URL: 'http://127.0.0.1:4000/api/',
      },
      expected: { botToken: BOT, signingSecret: SIGNING, apiUrl: 'http://127.0.0.1:4000/api/' },
    },
    {
      name: 'no API URL when SLACK_API_URL is blank',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGNING, SLACK_API_URL: '  ' },
      expected: { botToken: BOT, signingSecret: SIGNING },
    },
    {
      name: 'every value trimmed of surrounding whitespace',
      env: {
        SLACK_BOT_TOKEN: ` ${BOT}\n`,
        SLACK_APP_TOKEN: `\t${APP} `,
        SLACK_API_URL: ' http://127.0.0.1:4000/api/\n',
      },
      expected: { botToken: BOT, appToken: APP, apiUrl: 'http://127.0.0.1:4000/api/' },
    },
    {
      name: 'a blank signing secret left out when an app token is set',
      env: { SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_SIGNING_SECRET: ' ' },
      expected: { botToken: BOT, appToken: APP },
    },
  ];
  for (const { name, env, expected } of ACCEPTED) {
    it(`reads ${name}`, () => {
      assert.deepEqual(slackSecretsFromEnv(env), expected);
    });
  }
});
