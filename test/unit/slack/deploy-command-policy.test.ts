import assert from 'node:assert/strict';
import { InvalidRequestError } from '../../../src/domain/errors';
import {
  parseDeployCommand,
  tokensOf,
  type ConfiguredNames,
  type DeployCommand,
} from '../../../src/slack/deploy-command';

const ONE_APP: ConfiguredNames = { backend: ['staging', 'production'] };
const TWO_APPS: ConfiguredNames = { backend: ['staging', 'production'], billing: ['staging', 'production'] };
const RELEASE_ID = 'r20261127t171340-3f9a';

describe('tokensOf: quoted words', () => {
  const CASES: [string, string[]][] = [
    ['v1.2.0 --override "db is on fire"', ['v1.2.0', '--override', 'db is on fire']],
    ['v1.2.0 --override \u201cdb is on fire\u201d', ['v1.2.0', '--override', 'db is on fire']],
    ["v1.2.0 --at 'tue 14:00'", ['v1.2.0', '--at', 'tue 14:00']],
    ['v1.2.0 --at \u2018tue 14:00\u2019', ['v1.2.0', '--at', 'tue 14:00']],
    ["lock backend it's broken", ['lock', 'backend', "it's", 'broken']],
    ["lock backend 'tis broken", ['lock', 'backend', "'tis", 'broken']],
    ['  a   "b  c"  d ', ['a', 'b  c', 'd']],
  ];
  for (const [text, words] of CASES) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(tokensOf(text), words));
  }
  it('refuses a double quote that is never closed', () => {
    assert.throws(() => tokensOf('v1.2.0 --override "db is on fire'), /never closed/);
  });
});

describe('parseDeployCommand: queue, schedule, override, promote, log, stats', () => {
  const ACCEPTED: { text: string; names?: ConfiguredNames; expected: DeployCommand }[] = [
    {
      text: 'v1.2.0 --queue',
      expected: { kind: 'release', version: 'v1.2.0', type: 'minor', dryRun: false, queue: true },
    },
    {
      text: 'v1.2.0 production --at "tue 14:00"',
      expected: {
        kind: 'release',
        version: 'v1.2.0',
        environment: 'production',
        type: 'minor',
        dryRun: false,
        queue: true,
        at: 'tue 14:00',
      },
    },
    {
      text: 'v1.2.1 backend production --type hotfix --override "checkout is down"',
      expected: {
        kind: 'release',
        version: 'v1.2.1',
        app: 'backend',
        environment: 'production',
        type: 'hotfix',
        dryRun: false,
        queue: false,
        override: 'checkout is down',
      },
    },
    {
      text: 'v1.2.1 --override=urgent',
      expected: {
        kind: 'release',
        version: 'v1.2.1',
        type: 'minor',
        dryRun: false,
        queue: false,
        override: 'urgent',
      },
    },
    { text: 'queue', expected: { kind: 'queue' } },
    { text: 'queue production', expected: { kind: 'queue', environment: 'production' } },
    {
      text: 'queue billing staging',
      names: TWO_APPS,
      expected: { kind: 'queue', app: 'billing', environment: 'staging' },
    },
    {
      text: 'promote staging production',
      expected: { kind: 'promote', app: 'backend', from: 'staging', to: 'production', type: 'minor' },
    },
    {
      text: 'promote billing staging production --type major',
      names: TWO_APPS,
      expected: { kind: 'promote', app: 'billing', from: 'staging', to: 'production', type: 'major' },
    },
    { text: `log ${RELEASE_ID}`, expected: { kind: 'log', releaseId: RELEASE_ID } },
    { text: 'stats', expected: { kind: 'stats', days: 30 } },
    { text: 'stats 90d', expected: { kind: 'stats', days: 90 } },
    {
      text: 'stats backend production 12w',
      names: TWO_APPS,
      expected: { kind: 'stats', app: 'backend', environment: 'production', days: 84 },
    },
  ];
  for (const { text, names, expected } of ACCEPTED) {
    it(`accepts ${JSON.stringify(text)}`, () =>
      assert.deepEqual(parseDeployCommand(text, names ?? ONE_APP), expected));
  }

  const REFUSED: { text: string; names?: ConfiguredNames; message: RegExp }[] = [
    { text: 'v1.2.0 --override', message: /^--override needs a value, e\.g\. --override "/ },
    { text: 'v1.2.0 --override --queue', message: /^--override needs a value/ },
    { text: 'v1.2.0 --override ""', message: /^--override needs a value/ },
    { text: `v1.2.0 --override "${'x'.repeat(501)}"`, message: /keep it under 500/ },
    { text: 'v1.2.0 --at', message: /^--at needs a value, e\.g\. --at "tue 14:00"/ },
    {
      text: 'v1.2.0 --at "tue 14:00" --dry-run',
      message: /--at schedules a release; --dry-run only shows one/,
    },
    {
      text: 'v1.2.0 --later',
      message: /^unknown option "--later"; options here: --dry-run, --queue, --type, --at, --override$/,
    },
    { text: 'promote production', message: /^promote needs two environments/ },
    { text: 'promote staging staging', message: /two different environments, not staging twice/ },
    {
      text: 'promote staging qa',
      message: /^unknown environment "qa" for backend; configured: staging, production$/,
    },
    {
      text: 'promote staging production',
      names: TWO_APPS,
      message: /^promote needs an app and two environments/,
    },
    {
      text: 'promote staging production --queue',
      message: /^unknown option "--queue"; options here: --type, --override$/,
    },
    { text: 'log', message: /^log needs a release id/ },
    { text: 'log abc', message: /is not a release id/ },
    { text: `log ${RELEASE_ID} more`, message: /unexpected "more"/ },
    { text: 'stats 0d', message: /^stats covers 1 to 366 days/ },
    { text: 'stats 400d', message: /^stats covers 1 to 366 days/ },
    { text: 'stats 30', message: /"30" is not a period; write it like 30d or 12w/ },
    { text: 'queue nowhere', message: /^unknown app "nowhere"/ },
  ];
  for (const { text, names, message } of REFUSED) {
    it(`refuses ${JSON.stringify(text.slice(0, 60))}`, () => {
      let caught: unknown;
      try {
        parseDeployCommand(text, names ?? ONE_APP);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught instanceof InvalidRequestError, `expected a refusal for ${text}`);
      assert.equal(caught.code, 'usage');
      assert.match(caught.message, message);
    });
  }
});
