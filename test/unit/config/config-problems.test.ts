import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load';
import { ConfigError } from '../../../src/domain/errors';

/**
 * Configuration mistakes as people make them, each pinned to the one line
 * `deploybot check-config` prints for it: the setting's path as written in
 * the file, and what it takes in the file's own terms.
 */

/** The settings every environment needs, as YAML text after the key; `cluster: null` leaves it out. */
interface Required {
  cluster?: string | null;
  services?: string;
  logs?: string;
  health?: string;
}

/** A valid environment `name` (unless `required` breaks it), indented under `environments:`, then `extra`. */
function env(name: string, extra = '', required: Required = {}): string {
  const cluster = required.cluster === undefined ? `${name}-cluster` : required.cluster;
  return `
      ${name}:${cluster === null ? '' : `\n        cluster: ${cluster}`}
        services: ${required.services ?? '[{ name: web, containers: [web] }]'}
        logs: ${required.logs ?? '{ group: /ecs/web }'}
        health: ${required.health ?? `{ url: "https://${name}.example.com", endpoints: [/health] }`}${extra}`;
}

/** The backend app with staging and a production that has `extra` lines and `required` settings. */
function production(extra: string, required: Required = {}, staging: Required = {}): string {
  return `apps:\n  backend:\n    environments:${env('staging', '', staging)}${env('production', extra, required)}\n`;
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'deploybot.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const P = 'apps.backend.environments.production';
const line = (extra: string) => `\n        ${extra}`;

const MISTAKES: [string, string, string][] = [
  [
    'an error rate written as a percentage',
    production(line('rollback: { errorRate: 5 }')),
    `${P}.rollback.errorRate: a fraction below 1, e.g. 0.05 for 5 %`,
  ],
  ['a missing cluster', production('', { cluster: null }), `${P}.cluster: required`],
  [
    'requireSuccessIn naming an environment the app lacks',
    production(line('requireSuccessIn: qa')),
    `${P}.requireSuccessIn: no environment 'qa' in backend (have: staging, production)`,
  ],
  [
    'requireSuccessIn naming the environment itself',
    production(line('requireSuccessIn: production')),
    `${P}.requireSuccessIn: names production itself: name the environment a version must succeed in first, e.g. staging`,
  ],
  [
    'a typo in a required key, reported once and not also as the missing key',
    production(line('clustr: production-cluster'), { cluster: null }),
    `${P}.clustr: unknown setting (did you mean cluster?)`,
  ],
  [
    'a typo in an optional key',
    production(line('rollbak: { auto: true }')),
    `${P}.rollbak: unknown setting (did you mean rollback?)`,
  ],
  [
    'a setting written one level too high',
    production(line('errorRate: 0.1')),
    `${P}.errorRate: unknown setting (did you mean rollback.errorRate?)`,
  ],
  ['a key nothing resembles', production(line('colour: blue')), `${P}.colour: unknown setting`],
  [
    'a database naming both an instance and a cluster',
    production(line('database: { instance: db1, cluster: aurora-1 }')),
    `${P}.database: either \`instance: <RDS instance id>\` or \`cluster: <Aurora cluster id>\``,
  ],
  [
    'a bad value inside the one form of a union that fits',
    production(line('monitoring: { accessLogs: { json: { status: s, latency: l }, latencyUnit: sec } }')),
    `${P}.monitoring.accessLogs.latencyUnit: one of: ms, s`,
  ],
  [
    'load balancers neither auto, off nor a list',
    production(line('monitoring: { loadBalancers: on }')),
    `${P}.monitoring.loadBalancers: auto, off, or a list of { targetGroup, loadBalancer } ARN suffixes`,
  ],
  [
    'a duration written as a bare number',
    production(line('monitoring: { window: 15 }')),
    `${P}.monitoring.window: a duration like 30s, 5m or 1h`,
  ],
  [
    'a negative duration',
    production(line('monitoring: { interval: -5m }')),
    `${P}.monitoring.interval: a duration like 30s, 5m or 1h`,
  ],
  [
    'a zero timeout',
    production(line('timeouts: { deploy: 0s }')),
    `${P}.timeouts.deploy: a duration like 30s, 5m or 1h, above zero`,
  ],
  [
    'an approver given by name',
    production(line('approvers: [alice]')),
    `${P}.approvers[0]: a Slack user id (U…, W…) or user group id (S…), not a name`,
  ],
  [
    'a channel with its #',
    production(line('channel: "#releases"')),
    `${P}.channel: a channel name without # (e.g. releases) or a channel id (C…)`,
  ],
  [
    'a channel whose # made YAML read a comment',
    production(line('channel: #releases')),
    `${P}.channel: a channel name without # (e.g. releases) or a channel id (C…); the value is empty`,
  ],
  [
    'an error pattern whose regular expression does not compile',
    production('', { logs: '{ group: /ecs/web, errorPattern: "%(ERROR%" }' }),
    `${P}.logs.errorPattern: the regular expression between the % signs does not compile (Unterminated group)`,
  ],
  [
    'an empty list of services',
    production('', { services: '[]' }),
    `${P}.services: a list of services, each \`- name: … containers: […]\``,
  ],
  [
    'a service listed twice',
    production('', { services: '[{ name: web, containers: [web] }, { name: web, containers: [worker] }]' }),
    `${P}.services[1].name: 'web' is listed twice: each service once`,
  ],
  [
    'a migration borrowing a service the environment lacks',
    production(line('migration: { service: api, container: web, command: migrate }')),
    `${P}.migration.service: no service 'api' in this environment (have: web)`,
  ],
  [
    'no health check attempts',
    production('', { health: '{ url: "https://p.example.com", endpoints: [/health], attempts: 0 }' }),
    `${P}.health.attempts: a whole number from 1 to 60`,
  ],
  [
    'an endpoint without its leading /',
    production('', { health: '{ url: "https://p.example.com", endpoints: [health] }' }),
    `${P}.health.endpoints[0]: a path starting with /, e.g. /health`,
  ],
  ['a yes for a switch', production(line('rollback: { auto: "yes" }')), `${P}.rollback.auto: true or false`],
  [
    'a significance far too lenient',
    production(line('rollback: { significance: 0.5 }')),
    `${P}.rollback.significance: a probability above 0 and at most 0.05, e.g. 0.001`,
  ],
  [
    'a CPU limit above 100 %',
    production(line('rollback: { cpu: 120 }')),
    `${P}.rollback.cpu: a percentage above 0 and at most 100, e.g. 90`,
  ],
  [
    'a checklist item id with a typo',
    production(line('checklist: { required: [unit-test] }')),
    `${P}.checklist.required[0]: no checklist item 'unit-test' (did you mean unit-tests?)`,
  ],
  [
    'an empty section',
    production(line('monitoring:')),
    `${P}.monitoring: a map of settings; the value is empty`,
  ],
  [
    'an app name with a space',
    production('').replace('  backend:', '  "back end":'),
    'apps["back end"]: a name of letters, digits, ".", "_" or "-"',
  ],
  [
    'no worker concurrency',
    `engine: { concurrency: 0 }\n${production('')}`,
    'engine.concurrency: a whole number from 1 to 100',
  ],
  [
    'a lock that lapses between heartbeats',
    `engine: { lockTtl: 2m }\n${production('')}`,
    'engine.lockTtl: 2m is too short: at least 3 reconcile intervals (3m), as the lock is heartbeated once a sweep and must survive a missed one or two',
  ],
  ['a list where settings belong', '- apps\n- backend\n', 'top level: a map of settings'],
];

describe('configuration problems, one readable line each', () => {
  for (const [what, text, expected] of MISTAKES) {
    it(`tells ${what}`, () => {
      assert.deepEqual(problemsOf(text), [expected]);
    });
  }

  it('says an empty file is empty, and what a minimal configuration needs, in one line', () => {
    assert.throws(() => parseConfig('\n', 'deploybot.yaml'), {
      name: 'ConfigError',
      message:
        'deploybot.yaml is empty: a configuration needs at least apps.<app>.environments.<environment> ' +
        'with cluster, services, logs.group, health.url and health.endpoints (start from deploybot.example.yaml)',
    });
  });

  it('tells a YAML syntax error once, by line and column, not as its cascade', () => {
    // production's logs: one space short of its siblings' indent
    const text = production('').replace(/\n {8}logs(?![\s\S]*\n {8}logs)/, '\n       logs');
    assert.throws(() => parseConfig(text, 'deploybot.yaml'), {
      name: 'ConfigError',
      message: 'deploybot.yaml line 12, column 1: All mapping items must start at the same column',
    });
  });

  it('gives a file with N independent mistakes N lines, in one pass', () => {
    const text = `engine: { concurrency: 0 }\n${production(
      [
        line('rollback: { errorRate: 5, cpu: 120 }'),
        line('monitoring: { window: 15 }'),
        line('approvers: [alice]'),
        line('requireSuccessIn: qa'),
        line('colour: blue'),
      ].join(''),
      {},
      { cluster: null },
    )}`;
    assert.deepEqual(
      problemsOf(text).sort(),
      [
        'apps.backend.environments.staging.cluster: required',
        `${P}.approvers[0]: a Slack user id (U…, W…) or user group id (S…), not a name`,
        `${P}.colour: unknown setting`,
        `${P}.monitoring.window: a duration like 30s, 5m or 1h`,
        `${P}.requireSuccessIn: no environment 'qa' in backend (have: staging, production)`,
        `${P}.rollback.cpu: a percentage above 0 and at most 100, e.g. 90`,
        `${P}.rollback.errorRate: a fraction below 1, e.g. 0.05 for 5 %`,
        'engine.concurrency: a whole number from 1 to 100',
      ].sort(),
    );
  });
});
