import assert from 'node:assert/strict';
import { AfterAckLane } from '../../../src/slack/after-ack-lane';
import { ChannelLanes } from '../../../src/slack/channel-lanes';
import { InvalidRequestError } from '../../../src/domain/errors';
import {
  DEPLOY_HELP,
  DEPLOY_USAGE,
  ROLLBACK_USAGE,
  parseDeployCommand,
  parseRollbackCommand,
  type ConfiguredNames,
  type DeployCommand,
} from '../../../src/slack/deploy-command';

const ONE_APP: ConfiguredNames = { backend: ['staging', 'production'] };
const TWO_APPS: ConfiguredNames = { backend: ['staging', 'production'], billing: ['production'] };
const RELEASE_ID = 'r20261127t171340-3f9a';

/** Asserts that parsing throws InvalidRequestError with `code` and a message matching `message`. */
function assertRefused(
  text: string,
  names: ConfiguredNames,
  code: 'usage' | 'invalid_version',
  message: RegExp,
): InvalidRequestError {
  let caught: unknown;
  try {
    parseDeployCommand(text, names);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof InvalidRequestError,
    `expected InvalidRequestError for ${JSON.stringify(text)}`,
  );
  assert.equal(caught.code, code, `code for ${JSON.stringify(text)}: ${caught.message}`);
  assert.match(caught.message, message);
  return caught;
}

describe('parseDeployCommand', () => {
  describe('accepts', () => {
    const ACCEPTED: { name: string; text: string; names?: ConfiguredNames; expected: DeployCommand }[] = [
      // help
      { name: 'empty text as help', text: '', expected: { kind: 'help' } },
      { name: 'whitespace-only text as help', text: '   \t ', expected: { kind: 'help' } },
      { name: '"help" as help', text: 'help', expected: { kind: 'help' } },
      { name: '"help" with surrounding spaces as help', text: '  help  ', expected: { kind: 'help' } },

      // release
      {
        name: 'a bare version with type minor and no dry run by default',
        text: 'v1.2.0',
        expected: { kind: 'release', version: 'v1.2.0', type: 'minor', dryRun: false, queue: false },
      },
      {
        name: 'a version without v, kept as typed',
        text: '1.2.0',
        expected: { kind: 'release', version: '1.2.0', type: 'minor', dryRun: false, queue: false },
      },
      {
        name: 'a pre-release version',
        text: 'v1.2.0-rc.1',
        expected: { kind: 'release', version: 'v1.2.0-rc.1', type: 'minor', dryRun: false, queue: false },
      },
      {
        name: 'version and app',
        text: 'v1.2.0 backend',
        expected: {
          kind: 'release',
          version: 'v1.2.0',
          app: 'backend',
          type: 'minor',
          dryRun: false,
          queue: false,
        },
      },
      {
        name: 'version, app and environment',
        text: 'v1.2.0 backend production',
        expected: {
          kind: 'release',
          version: 'v1.2.0',
          app: 'backend',
          environment: 'production',
          type: 'minor',
          dryRun: false,
          queue: false,
        },
      },
      {
        name: 'version and an environment alone when one app is configured',
        text: 'v1.2.0 production',
        expected: {
          kind: 'release',
          version: 'v1.2.0',
          environment: 'production',
          type: 'minor',
          dryRun: false,
          queue: false,
        },
      },
      {
        name: 'the second app with its environment when two apps are configured',
        text: 'v1.2.0 billing production',
        names: TWO_APPS,
        expected: {
          kind: 'release',
          version: 'v1.2.0',
          app: 'billing',
          environment: 'production',
          type: 'minor',
          dryRun: false,
          queue: false,
        },
      },
      {
        name: '--type hotfix (separate word)',
        text: 'v1.2.0 --type hotfix',
        expected: { kind: 'release', version: 'v1.2.0', type: 'hotfix', dryRun: false, queue: false },
      },
      {
        name: '--type=major (joined)',
        text: 'v1.2.0 --type=major',
        expected: { kind: 'release', version: 'v1.2.0', type: 'major', dryRun: false, queue: false },
      },
      {
        name: '--type minor explicitly',
        text: 'v1.2.0 --type minor',
        expected: { kind: 'release', version: 'v1.2.0', type: 'minor', dryRun: false, queue: false },
      },
      {
        name: '--dry-run',
        text: 'v1.2.0 --dry-run',
        expected: { kind: 'release', version: 'v1.2.0', type: 'minor', dryRun: true, queue: false },
      },
      {
        name: 'options before, between and after positional words',
        text: 'v1.2.0 --type hotfix backend --dry-run production',
        expected: {
          kind: 'release',
          version: 'v1.2.0',
          app: 'backend',
          environment: 'production',
          type: 'hotfix',
          dryRun: true,
          queue: false,
        },
      },
      {
        name: 'words separated by several spaces and tabs',
        text: '  v1.2.0 \t backend   staging  ',
        expected: {
          kind: 'release',
          version: 'v1.2.0',
          app: 'backend',
          environment: 'staging',
          type: 'minor',
          dryRun: false,
          queue: false,
        },
      },

      // status
      { name: 'status without an app', text: 'status', expected: { kind: 'status' } },
      { name: 'status with an app', text: 'status backend', expected: { kind: 'status', app: 'backend' } },
      {
        name: 'status with the second of two apps',
        text: 'status billing',
        names: TWO_APPS,
        expected: { kind: 'status', app: 'billing' },
      },

      // history
      { name: 'history with limit 10 by default', text: 'history', expected: { kind: 'history', limit: 10 } },
      { name: 'history with a limit of 1', text: 'history 1', expected: { kind: 'history', limit: 1 } },
      { name: 'history with a limit of 50', text: 'history 50', expected: { kind: 'history', limit: 50 } },
      {
        name: 'history with an app',
        text: 'history backend',
        expected: { kind: 'history', app: 'backend', limit: 10 },
      },
      {
        name: 'history with an environment alone when one app is configured',
        text: 'history production',
        expected: { kind: 'history', environment: 'production', limit: 10 },
      },
      {
        name: 'history with app, environment and limit',
        text: 'history backend production 5',
        expected: { kind: 'history', app: 'backend', environment: 'production', limit: 5 },
      },
      {
        name: 'history with app and limit',
        text: 'history billing 3',
        names: TWO_APPS,
        expected: { kind: 'history', app: 'billing', limit: 3 },
      },

      // cancel
      {
        name: 'cancel with a release id',
        text: `cancel ${RELEASE_ID}`,
        expected: { kind: 'cancel', releaseId: RELEASE_ID },
      },

      // lock
      {
        name: 'lock with app and a one-word reason',
        text: 'lock backend freeze',
        expected: { kind: 'lock', app: 'backend', reason: 'freeze' },
      },
      {
        name: 'lock with app, environment and a reason that keeps its spaces between words',
        text: 'lock backend production db migration in progress',
        expected: {
          kind: 'lock',
          app: 'backend',
          environment: 'production',
          reason: 'db migration in progress',
        },
      },
      {
        name: 'lock whose first reason word is not an environment of the app: it is part of the reason',
        text: 'lock billing staging is broken',
        names: TWO_APPS,
        expected: { kind: 'lock', app: 'billing', reason: 'staging is broken' },
      },
      {
        name: 'lock whose reason mentions a prototype name: it is text, not an environment',
        text: 'lock backend constructor crew on site',
        expected: { kind: 'lock', app: 'backend', reason: 'constructor crew on site' },
      },

      // unlock
      { name: 'unlock with an app', text: 'unlock backend', expected: { kind: 'unlock', app: 'backend' } },
      {
        name: 'unlock with app and environment',
        text: 'unlock backend staging',
        expected: { kind: 'unlock', app: 'backend', environment: 'staging' },
      },
    ];

    for (const { name, text, names, expected } of ACCEPTED) {
      it(name, () => {
        assert.deepEqual(parseDeployCommand(text, names ?? ONE_APP), expected);
      });
    }
  });

  describe('refuses', () => {
    const REFUSED: {
      name: string;
      text: string;
      names?: ConfiguredNames;
      code?: 'usage' | 'invalid_version';
      message: RegExp;
    }[] = [
      // help
      { name: 'help with arguments', text: 'help me', message: /^help takes no arguments, got "me"$/ },

      // release
      {
        name: 'an unknown subcommand, naming it',
        text: 'deploy v1.2.0',
        message: /^unknown subcommand "deploy"; a release starts with a version like v1\.2\.0$/,
      },
      {
        name: 'a version-like word that is not a version (invalid_version)',
        text: 'v1.2',
        code: 'invalid_version',
        message: /^"v1\.2" is not a release version/,
      },
      {
        name: 'a four-part version (invalid_version)',
        text: '1.2.0.0 backend',
        code: 'invalid_version',
        message: /^"1\.2\.0\.0" is not a release version/,
      },
      {
        name: 'an environment alone when two apps are configured, naming the apps',
        text: 'v1.2.0 production',
        names: TWO_APPS,
        message: /^unknown app "production"; configured apps: backend, billing$/,
      },
      {
        name: 'an unknown app, naming the configured apps',
        text: 'v1.2.0 frontend',
        message: /^unknown app "frontend"; configured apps: backend$/,
      },
      {
        name: 'an unknown environment for the app, naming its environments',
        text: 'v1.2.0 backend qa',
        message: /^unknown environment "qa" for backend; configured: staging, production$/,
      },
      {
        name: "another app's environment",
        text: 'v1.2.0 billing staging',
        names: TWO_APPS,
        message: /^unknown environment "staging" for billing; configured: production$/,
      },
      {
        name: 'an environment followed by an app (wrong order)',
        text: 'v1.2.0 production backend',
        message: /^unknown app "production"/,
      },
      {
        name: 'extra words after app and environment',
        text: 'v1.2.0 backend production now please',
        message: /^unexpected "now please"$/,
      },
      {
        name: 'an unknown type',
        text: 'v1.2.0 --type patch',
        message: /^--type must be hotfix, minor or major, not "patch"$/,
      },
      {
        name: 'an unknown joined type',
        text: 'v1.2.0 --type=Major',
        message: /^--type must be hotfix, minor or major, not "Major"$/,
      },
      {
        name: '--type without a value',
        text: 'v1.2.0 --type',
        message: /^--type needs a value, e\.g\. --type hotfix \(or minor, major\)$/,
      },
      {
        name: '--type= with an empty value',
        text: 'v1.2.0 --type=',
        message: /^--type needs a value, e\.g\. --type hotfix \(or minor, major\)$/,
      },
      {
        name: '--type followed by another option instead of a value',
        text: 'v1.2.0 --type --dry-run',
        message: /^--type needs a value, e\.g\. --type hotfix \(or minor, major\)$/,
      },
      {
        name: 'an unknown option',
        text: 'v1.2.0 --force',
        message: /^unknown option "--force"; options here: --dry-run, --queue, --type, --at, --override$/,
      },
      {
        name: 'a misspelt dry-run',
        text: 'v1.2.0 --dryrun',
        message: /^unknown option "--dryrun"; options here: --dry-run, --queue, --type, --at, --override$/,
      },
      {
        name: 'an unknown joined option',
        text: 'v1.2.0 --env=production',
        message:
          /^unknown option "--env=production"; options here: --dry-run, --queue, --type, --at, --override$/,
      },

      // status
      {
        name: 'status with an unknown app',
        text: 'status frontend',
        message: /^unknown app "frontend"; configured apps: backend$/,
      },
      {
        name: 'status with an extra word',
        text: 'status backend production',
        message: /^status \[app\]: unexpected "production"$/,
      },

      // history
      { name: 'history with a limit of 0', text: 'history 0', message: /^history shows 1 to 50 releases$/ },
      { name: 'history with a limit of 51', text: 'history 51', message: /^history shows 1 to 50 releases$/ },
      {
        name: 'history with app, environment and a limit of 51',
        text: 'history backend production 51',
        message: /^history shows 1 to 50 releases$/,
      },
      {
        name: 'history with a negative limit (not a number, so not an app either)',
        text: 'history -5',
        message: /^unknown app "-5"/,
      },
      {
        name: 'history with an extra word before the limit',
        text: 'history backend production extra 5',
        message: /^unexpected "extra"$/,
      },
      {
        name: 'history with an environment alone when two apps are configured',
        text: 'history production',
        names: TWO_APPS,
        message: /^unknown app "production"; configured apps: backend, billing$/,
      },

      // cancel
      { name: 'cancel without an id', text: 'cancel', message: /^cancel needs a release id/ },
      {
        name: 'cancel with something that is not a release id',
        text: 'cancel 42',
        message: /^"42" is not a release id \(they look like r20261127t171340-3f9a\)$/,
      },
      {
        name: 'cancel with an upper-case release id',
        text: `cancel ${RELEASE_ID.toUpperCase()}`,
        message: /is not a release id/,
      },
      {
        name: 'cancel with a release id followed by junk',
        text: `cancel ${RELEASE_ID}x`,
        message: /is not a release id/,
      },
      {
        name: 'cancel with two ids',
        text: `cancel ${RELEASE_ID} ${RELEASE_ID}`,
        message: /^cancel <release-id>: unexpected "r20261127t171340-3f9a"$/,
      },

      // lock
      { name: 'lock without an app', text: 'lock', message: /^lock needs an app and a reason/ },
      { name: 'lock without a reason', text: 'lock backend', message: /^lock needs a reason/ },
      {
        name: 'lock with an environment but without a reason',
        text: 'lock backend production',
        message: /^lock needs a reason/,
      },
      {
        name: 'lock with an unknown app',
        text: 'lock frontend because',
        message: /^unknown app "frontend"; configured apps: backend$/,
      },

      // unlock
      { name: 'unlock without an app', text: 'unlock', message: /^unlock needs an app/ },
      {
        name: 'unlock with an unknown app',
        text: 'unlock frontend',
        message: /^unknown app "frontend"; configured apps: backend$/,
      },
      {
        name: 'unlock with an unknown environment',
        text: 'unlock backend qa',
        message: /^unknown environment "qa" for backend; configured: staging, production$/,
      },
      {
        name: 'unlock with extra words',
        text: 'unlock backend production now',
        message: /^unlock <app> \[env\]: unexpected "now"$/,
      },
    ];

    for (const { name, text, names, code, message } of REFUSED) {
      it(`${name} (${code ?? 'usage'})`, () => {
        assertRefused(text, names ?? ONE_APP, code ?? 'usage', message);
      });
    }
  });

  describe('never takes a prototype property name for a configured app or environment', () => {
    const PROTO = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
    const FORMS: { form: string; names: ConfiguredNames; message: (word: string) => RegExp }[] = [
      { form: 'v1.2.0 %', names: ONE_APP, message: (w) => new RegExp(`^unknown app "${w}"`) },
      { form: 'v1.2.0 %', names: TWO_APPS, message: (w) => new RegExp(`^unknown app "${w}"`) },
      {
        form: 'v1.2.0 backend %',
        names: ONE_APP,
        message: (w) => new RegExp(`^unknown environment "${w}" for backend`),
      },
      { form: 'status %', names: ONE_APP, message: (w) => new RegExp(`^unknown app "${w}"`) },
      { form: 'history %', names: ONE_APP, message: (w) => new RegExp(`^unknown app "${w}"`) },
      {
        form: 'history backend % 5',
        names: ONE_APP,
        message: (w) => new RegExp(`^unknown environment "${w}" for backend`),
      },
      { form: 'lock % some reason', names: ONE_APP, message: (w) => new RegExp(`^unknown app "${w}"`) },
      { form: 'unlock %', names: ONE_APP, message: (w) => new RegExp(`^unknown app "${w}"`) },
      {
        form: 'unlock backend %',
        names: ONE_APP,
        message: (w) => new RegExp(`^unknown environment "${w}" for backend`),
      },
    ];
    for (const word of PROTO) {
      for (const { form, names, message } of FORMS) {
        const text = form.replace('%', word);
        it(`refuses "${text}" with ${Object.keys(names).length} app(s)`, () => {
          assertRefused(text, names, 'usage', message(word));
        });
      }
    }
  });

  describe('clips echoed input to 40 characters and an ellipsis', () => {
    const LONG = 'x'.repeat(100);
    const CASES: { name: string; text: string; echoed?: string; code?: 'usage' | 'invalid_version' }[] = [
      { name: 'an unknown subcommand', text: `a${LONG}`, echoed: `a${LONG}` },
      { name: 'an invalid version', text: `1${LONG}`, echoed: `1${LONG}`, code: 'invalid_version' },
      { name: 'an unknown app in a release', text: `v1.2.0 ${LONG}` },
      { name: 'an unknown environment in a release', text: `v1.2.0 backend ${LONG}` },
      { name: 'extra release words', text: `v1.2.0 backend production ${LONG}` },
      { name: 'an unknown option', text: `v1.2.0 --${LONG}`, echoed: `--${LONG}` },
      { name: 'a bad --type value', text: `v1.2.0 --type ${LONG}` },
      { name: 'a bad --type= value', text: `v1.2.0 --type=${LONG}` },
      { name: 'an unknown app in status', text: `status ${LONG}` },
      { name: 'extra status words', text: `status backend ${LONG}` },
      { name: 'an unknown app in history', text: `history ${LONG}` },
      { name: 'a bad cancel id', text: `cancel ${LONG}` },
      { name: 'extra cancel words', text: `cancel ${RELEASE_ID} ${LONG}` },
      { name: 'an unknown app in lock', text: `lock ${LONG} reason` },
      { name: 'an unknown app in unlock', text: `unlock ${LONG}` },
      { name: 'an unknown environment in unlock', text: `unlock backend ${LONG}` },
      { name: 'extra unlock words', text: `unlock backend production ${LONG}` },
      { name: 'arguments to help', text: `help ${LONG}` },
    ];
    for (const { name, text, echoed, code } of CASES) {
      it(`for ${name}`, () => {
        const error = assertRefused(text, ONE_APP, code ?? 'usage', /./);
        const clipped = `"${(echoed ?? LONG).slice(0, 40)}…"`;
        assert.ok(error.message.includes(clipped), `message not clipped: ${error.message}`);
        assert.ok(!error.message.includes('x'.repeat(41)), `message echoes >40 characters: ${error.message}`);
      });
    }
  });
});

describe('parseRollbackCommand', () => {
  const cases: [string, ConfiguredNames, ReturnType<typeof parseRollbackCommand>][] = [
    ['', ONE_APP, {}],
    ['production', ONE_APP, { environment: 'production' }],
    ['backend production', TWO_APPS, { app: 'backend', environment: 'production' }],
    ['--migration', ONE_APP, { database: 'downgrade' }],
    [
      'backend production --restore-snapshot',
      TWO_APPS,
      { app: 'backend', environment: 'production', database: 'restore' },
    ],
    ['--restore-snapshot billing', TWO_APPS, { app: 'billing', database: 'restore' }],
  ];
  for (const [text, names, expected] of cases) {
    it(`reads "${text}"`, () => {
      assert.deepEqual(parseRollbackCommand(text, names), expected);
    });
  }

  const refusals: [string, RegExp][] = [
    ['--force', /unknown option "--force"; options: --migration, --restore-snapshot/],
    ['--migration --restore-snapshot', /choose one of --migration and --restore-snapshot/],
    ['shop', /unknown app "shop"/],
    ['backend production extra', /unexpected "extra"/],
  ];
  for (const [text, message] of refusals) {
    it(`refuses "${text}" with a usage message`, () => {
      assert.throws(
        () => parseRollbackCommand(text, TWO_APPS),
        (error: unknown) =>
          error instanceof InvalidRequestError && error.code === 'usage' && message.test(error.message),
      );
    });
  }
});

describe('the usage that help shows stays accurate', () => {
  /** A value for every placeholder the usage lines use; an unknown one fails the test. */
  const EXAMPLES: Record<string, string> = {
    '<version>': 'v1.2.0',
    '[app]': 'backend',
    '<app>': 'backend',
    '[env]': 'production',
    '[--type hotfix|minor|major]': '--type hotfix',
    '[--dry-run]': '--dry-run',
    '[--queue | --at "tue 14:00"]': '--at "tue 14:00"',
    '[--override "reason"]': '--override "checkout is down"',
    '<from-env>': 'staging',
    '<to-env>': 'production',
    '[30d]': '30d',
    '[n]': '5',
    '<release-id>': RELEASE_ID,
    '<reason>': 'database maintenance',
  };
  const fill = (form: string) =>
    form.replace(/<[^>]+>|\[[^\]]+\]/g, (placeholder) => {
      const example = EXAMPLES[placeholder];
      assert.ok(example !== undefined, `no example for ${placeholder} in "${form}"`);
      return example;
    });
  const deployLines = DEPLOY_USAGE.split('\n');

  for (const line of deployLines) {
    it(`parses "${line}" filled in`, () => {
      const text = fill(line.replace(/^\/deploy\s*/, ''));
      const parsed = parseDeployCommand(text, ONE_APP);
      const word = text.split(' ')[0] ?? '';
      assert.equal(parsed.kind, /^v\d/.test(word) ? 'release' : word);
    });
  }

  it('has a line for every kind of /deploy command', () => {
    const kinds = new Set(
      deployLines.map((line) => parseDeployCommand(fill(line.replace(/^\/deploy\s*/, '')), ONE_APP).kind),
    );
    const every: DeployCommand['kind'][] = [
      'help',
      'release',
      'status',
      'history',
      'cancel',
      'lock',
      'unlock',
      'queue',
      'promote',
      'log',
      'stats',
    ];
    assert.deepEqual([...kinds].sort(), [...every].sort());
  });

  for (const line of ROLLBACK_USAGE.split('\n')) {
    const form = line.split(/\s{2,}/)[0] ?? '';
    it(`parses "${form}" filled in, and /deploy help shows it`, () => {
      const parsed = parseRollbackCommand(fill(form.replace(/^\/rollback\s*/, '')), ONE_APP);
      assert.equal(parsed.app, 'backend');
      assert.ok(DEPLOY_HELP.split('\n').includes(line), `help lacks "${line}"`);
    });
  }
});

describe("AfterAckLane (a /deploy's work after its ack)", () => {
  /** A follow-up that records its start and ends when told to. */
  function gated(started: number[], n: number): { work: () => Promise<void>; finish(): void } {
    let finish = (): void => undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    return {
      work: async () => {
        started.push(n);
        await done;
      },
      finish: () => finish(),
    };
  }

  const unexpected = (error: unknown): void => assert.fail(`a follow-up failed: ${String(error)}`);

  /** Resolves once `condition` holds, checking after each turn of the event loop. */
  async function until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  it('starts nothing in the turn that queued it, so the ack is written first', async () => {
    const started: number[] = [];
    const lane = new AfterAckLane(2, unexpected);
    const one = gated(started, 1);
    lane.run(one.work);
    assert.deepEqual(started, []);
    await until(() => started.length === 1);
    one.finish();
  });

  it('runs at most `limit` at once, the rest in arrival order as slots free', async () => {
    const started: number[] = [];
    const lane = new AfterAckLane(2, unexpected);
    const works = [1, 2, 3, 4, 5].map((n) => gated(started, n));
    for (const w of works) lane.run(w.work);
    await until(() => started.length === 2);
    assert.deepEqual(started, [1, 2]);
    works[1]?.finish();
    await until(() => started.length === 3);
    assert.deepEqual(started, [1, 2, 3]);
    for (const w of works) w.finish();
    await until(() => started.length === 5);
    assert.deepEqual(started, [1, 2, 3, 4, 5]);
  });

  it('gives each channel its own lane: a busy channel does not hold up another', async () => {
    const started: number[] = [];
    const lanes = new ChannelLanes(1, unexpected);
    const [a1, a2, b1] = [1, 2, 3].map((n) => gated(started, n));
    lanes.run('C0BUSY', (a1 as ReturnType<typeof gated>).work);
    lanes.run('C0BUSY', (a2 as ReturnType<typeof gated>).work);
    lanes.run('C0OTHER', (b1 as ReturnType<typeof gated>).work);
    await until(() => started.length === 2);
    assert.deepEqual(
      started,
      [1, 3],
      'the other channel started beside the busy one; the busy one waits its turn',
    );
    a1?.finish();
    await until(() => started.length === 3);
    assert.deepEqual(started, [1, 3, 2]);
    a2?.finish();
    b1?.finish();
  });

  it('reports a failed follow-up and frees its slot', async () => {
    const errors: unknown[] = [];
    const started: number[] = [];
    const lane = new AfterAckLane(1, (error) => errors.push(error));
    lane.run(async () => {
      throw new Error('respond failed');
    });
    const next = gated(started, 2);
    lane.run(next.work);
    await until(() => started.length === 1);
    assert.deepEqual(
      errors.map((e) => (e as Error).message),
      ['respond failed'],
    );
    next.finish();
  });
});
