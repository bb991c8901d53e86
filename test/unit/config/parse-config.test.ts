import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../src/domain/errors';
import { parseConfig } from '../../../src/config/load';

const EXAMPLE = readFileSync(join(__dirname, '../../../deploybot.example.yaml'), 'utf8');

/**
 * A minimal valid environment, indented to sit under `environments:`; `extra` is appended to it.
 * Each environment runs on a cluster of its own name: environments may not share a service.
 */
function env(name: string, extra = ''): string {
  return `
      ${name}:
        cluster: ${name}-cluster
        services:
          - name: web
            containers: [web]
        logs: { group: /ecs/web }
        health: { url: "https://${name}.example.com", endpoints: [/health] }${extra}`;
}

function config(...environments: string[]): string {
  return `apps:\n  backend:\n    environments:${environments.join('')}\n`;
}

/** The problems parseConfig reports for `text`, failing when it does not throw a ConfigError. */
function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'deploybot.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.code, 'config_invalid');
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const P = 'apps.backend.environments.production';

/** Two cross-field mistakes: a migration borrowing an unknown service, and a missing environment. */
const CROSS_FIELD = `
        migration: { service: api, container: web, command: migrate }
        requireSuccessIn: staging`;

/** The monitoring settings of an environment that writes none. */
const DEFAULT_MONITORING = {
  window: 900_000,
  interval: 60_000,
  extendedWindow: 86_400_000,
  extendedInterval: 600_000,
  rollbackWindow: 1_800_000,
  probes: 5,
  baselineProbes: 20,
  postEvery: 5,
  followUps: [3_600_000, 86_400_000, 604_800_000],
  reviewAfter: 86_400_000,
  metrics: false,
  loadBalancers: 'auto',
};

describe('parseConfig', () => {
  describe('on deploybot.example.yaml', () => {
    const parsed = parseConfig(EXAMPLE, 'deploybot.example.yaml');
    const staging = parsed.apps.backend?.environments.staging;
    const production = parsed.apps.backend?.environments.production;

    it('reads the engine settings as milliseconds', () => {
      assert.deepEqual(parsed.engine, {
        lockTtl: 600_000,
        startTimeout: 7_200_000,
        pollInterval: 15_000,
        concurrency: 50,
        logsRequestsPerSecond: 4,
        reconcileInterval: 60_000,
      });
      assert.deepEqual(parsed.slack, { channel: 'engineering' });
    });

    it('reads both environments of the backend app', () => {
      assert.deepEqual(Object.keys(parsed.apps), ['backend']);
      assert.deepEqual(Object.keys(parsed.apps.backend?.environments ?? {}), ['staging', 'production']);
    });

    it('fills the defaults of what staging leaves out', () => {
      assert.ok(staging);
      assert.deepEqual(staging.monitoring, DEFAULT_MONITORING);
      assert.deepEqual(staging.rollback, {
        errorRate: 0.05,
        latencyFactor: 2,
        errorLogFactor: 3,
        errorLogFloorPerMinute: 5,
        consecutive: 2,
        judgeWindow: 60_000,
        minRequests: 300,
        significance: 0.001,
        crashes: 2,
        connectionsFactor: 2,
        proposalTtl: 1_800_000,
        auto: false,
        twoPersonRule: false,
        remindAfter: 600_000,
        postmortemAfter: 86_400_000,
      });
      assert.deepEqual(staging.timeouts, {
        preflight: 120_000,
        backup: 3_600_000,
        deploy: 1_800_000,
        verify: 300_000,
        restore: 10_800_000,
      });
      assert.deepEqual(staging.health, {
        url: 'https://staging.api.example.com',
        endpoints: ['/health', '/health/ready', '/metrics'],
        timeout: 5_000,
        attempts: 3,
        interval: 10_000,
      });
      assert.deepEqual(staging.approvers, []);
      assert.equal(staging.requireSuccessIn, undefined);
    });

    it('reads production as written', () => {
      assert.ok(production);
      assert.equal(production.cluster, 'social-analytics-cluster');
      assert.deepEqual(
        production.services.map((s) => s.name),
        ['backend-service', 'worker-service'],
      );
      assert.deepEqual(production.database, { kind: 'instance', id: 'social-analytics-db' });
      // window, interval, metrics, access logs, load balancers and alarms as written; the rest from the defaults.
      assert.deepEqual(production.monitoring, {
        ...DEFAULT_MONITORING,
        window: 900_000,
        interval: 60_000,
        metrics: true,
        accessLogs: { json: { status: 'status', latency: 'latency_ms' }, latencyUnit: 'ms' },
        loadBalancers: 'auto',
        alarms: { prefix: 'social-analytics-prod-' },
      });
      assert.equal(production.rollback.minRequests, 300);
      assert.equal(production.rollback.proposalTtl, 1_800_000);
      assert.equal(production.rollback.twoPersonRule, true);
      assert.equal(production.rollback.cpu, 90);
      assert.equal(production.rollback.memory, 90);
      assert.equal(production.requireSuccessIn, 'staging');
      assert.deepEqual(production.deployers, ['S0DEPLOYERS']);
      assert.deepEqual(production.approvers, ['S0TEAMLEADS']);
      assert.deepEqual(production.logs, { group: '/ecs/social-analytics-backend', errorPattern: 'ERROR' });
    });

    it('splits a migration command given as a string into words', () => {
      assert.deepEqual(production?.migration, {
        service: 'backend-service',
        container: 'backend',
        command: ['alembic', 'upgrade', 'head'],
        rollbackCommand: ['alembic', 'downgrade', '-1'],
        timeout: 900_000,
      });
    });
  });

  it('keeps a command given as a list of words as it is', () => {
    const parsed = parseConfig(
      config(
        env(
          'production',
          `
        migration: { service: web, container: web, command: ["sh", "-c", "alembic upgrade head"] }`,
        ),
      ),
    );
    assert.deepEqual(parsed.apps.backend?.environments.production?.migration?.command, [
      'sh',
      '-c',
      'alembic upgrade head',
    ]);
  });

  it('splits a string command on any run of whitespace', () => {
    const parsed = parseConfig(
      config(
        env(
          'production',
          `
        migration: { service: web, container: web, command: "  alembic   upgrade\\thead " }`,
        ),
      ),
    );
    assert.deepEqual(parsed.apps.backend?.environments.production?.migration?.command, [
      'alembic',
      'upgrade',
      'head',
    ]);
    assert.equal(parsed.apps.backend?.environments.production?.migration?.timeout, 1_800_000);
  });

  it('reads an Aurora cluster database', () => {
    const parsed = parseConfig(config(env('production', '\n        database: { cluster: aurora-1 }')));
    assert.deepEqual(parsed.apps.backend?.environments.production?.database, {
      kind: 'cluster',
      id: 'aurora-1',
    });
  });

  it('reads CPU/memory limits as percents, off unless written, and refuses one above 100', () => {
    const parsed = parseConfig(config(env('production', '\n        rollback: { cpu: 85 }')));
    assert.equal(parsed.apps.backend?.environments.production?.rollback.cpu, 85);
    assert.equal(parsed.apps.backend?.environments.production?.rollback.memory, undefined);
    assert.deepEqual(problemsOf(config(env('production', '\n        rollback: { memory: 120 }'))), [
      `${P}.rollback.memory: a percentage above 0 and at most 100, e.g. 90`,
    ]);
  });

  it('reads access logs as JSON field paths or a parse clause, and refuses a clause without latency', () => {
    const json = parseConfig(
      config(
        env(
          'production',
          '\n        monitoring: { accessLogs: { json: { status: http.status, latency: took } } }',
        ),
      ),
    );
    assert.deepEqual(json.apps.backend?.environments.production?.monitoring.accessLogs, {
      json: { status: 'http.status', latency: 'took' },
      latencyUnit: 'ms',
    });
    const parse = parseConfig(
      config(
        env(
          'production',
          `\n        monitoring: { accessLogs: { parse: '@message "* * * *s" as method, path, status, latency', latencyUnit: s } }`,
        ),
      ),
    );
    assert.equal(parse.apps.backend?.environments.production?.monitoring.accessLogs?.latencyUnit, 's');
    const problems = problemsOf(
      config(
        env(
          'production',
          `\n        monitoring: { accessLogs: { parse: '@message "* *" as method, status' } }`,
        ),
      ),
    );
    assert.equal(problems.length, 1);
    assert.equal(
      problems[0],
      `${P}.monitoring.accessLogs.parse: a Logs Insights parse clause (no "|") that names the fields status and latency`,
    );
  });

  it('takes load balancers as auto, off or ARN suffixes, and refuses a full ARN', () => {
    const listed = parseConfig(
      config(
        env(
          'production',
          '\n        monitoring: { loadBalancers: [{ targetGroup: targetgroup/web/0123abcd, loadBalancer: app/alb/89ef } ] }',
        ),
      ),
    );
    assert.deepEqual(listed.apps.backend?.environments.production?.monitoring.loadBalancers, [
      { targetGroup: 'targetgroup/web/0123abcd', loadBalancer: 'app/alb/89ef' },
    ]);
    const problems = problemsOf(
      config(
        env(
          'production',
          '\n        monitoring: { loadBalancers: [{ targetGroup: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/01", loadBalancer: app/alb/89ef }] }',
        ),
      ),
    );
    assert.ok(
      problems.some((p) => /targetgroup\/<name>\/<id>/.test(p)),
      JSON.stringify(problems),
    );
  });

  it('lists every problem of one file by its dotted path, not just the first', () => {
    const problems = problemsOf(
      config(
        env(
          'production',
          `
        monitoring: { window: "15" }
        rollback: { errorRate: 5 }
        deployers: [alice]
        bogus: true`,
        ).replace('"https://production.example.com"', '"not a url"'),
        env('staging').replace('[/health]', '[health]'),
      ),
    );
    assert.deepEqual(
      problems.sort(),
      [
        `${P}.health.url: a URL like https://api.example.com`,
        `${P}.monitoring.window: a duration like 30s, 5m or 1h`,
        `${P}.rollback.errorRate: a fraction below 1, e.g. 0.05 for 5 %`,
        `${P}.deployers[0]: a Slack user id (U…, W…) or user group id (S…), not a name`,
        `${P}.bogus: unknown setting`,
        'apps.backend.environments.staging.health.endpoints[0]: a path starting with /, e.g. /health',
      ].sort(),
    );
  });

  it('puts the source name and every problem into the message', () => {
    assert.throws(
      () =>
        parseConfig(config(env('production', '\n        timeouts: { deploy: 1y }')), '/etc/deploybot.yaml'),
      (error: Error) => {
        assert.equal(
          error.message,
          `/etc/deploybot.yaml is invalid:\n  ${P}.timeouts.deploy: a duration like 30s, 5m or 1h`,
        );
        return true;
      },
    );
  });

  const SINGLE_PROBLEMS: [string, string, string][] = [
    ['an empty apps map', 'apps: {}\n', 'apps: at least one app, e.g. backend:'],
    [
      'an app without environments',
      'apps:\n  backend:\n    environments: {}\n',
      'apps.backend.environments: at least one environment, e.g. production:',
    ],
    ['an unknown top-level key', `${config(env('production'))}colour: blue\n`, 'colour: unknown setting'],
    [
      'an unknown engine key',
      `engine: { workers: 3 }\n${config(env('production'))}`,
      'engine.workers: unknown setting',
    ],
    [
      'a migration borrowing a service the environment does not have',
      config(env('production', '\n        migration: { service: api, container: web, command: migrate }')),
      `${P}.migration.service: no service 'api' in this environment (have: web)`,
    ],
    [
      'requireSuccessIn naming a missing environment',
      config(env('production', '\n        requireSuccessIn: staging')),
      `${P}.requireSuccessIn: no environment 'staging' in backend (have: production)`,
    ],
    [
      'a database with both instance and cluster',
      config(env('production', '\n        database: { instance: db1, cluster: aurora-1 }')),
      `${P}.database: either \`instance: <RDS instance id>\` or \`cluster: <Aurora cluster id>\``,
    ],
    [
      'an empty migration command',
      config(env('production', '\n        migration: { service: web, container: web, command: [] }')),
      `${P}.migration.command: a command: one string, or a list of words like [alembic, upgrade, head]`,
    ],
    [
      'a migration command that is neither a string nor a list',
      config(env('production', '\n        migration: { service: web, container: web, command: 42 }')),
      `${P}.migration.command: a command: one string, or a list of words like [alembic, upgrade, head]`,
    ],
    [
      'a service name with a space',
      config(env('production').replace('name: web', 'name: "web api"')),
      `${P}.services[0].name: a name of letters, digits, ".", "_" or "-"`,
    ],
  ];
  for (const [what, text, problem] of SINGLE_PROBLEMS) {
    it(`rejects ${what}`, () => {
      assert.deepEqual(problemsOf(text), [problem]);
    });
  }

  it('accepts requireSuccessIn naming another environment of the same app', () => {
    const parsed = parseConfig(
      config(env('staging'), env('production', '\n        requireSuccessIn: staging')),
    );
    assert.equal(parsed.apps.backend?.environments.production?.requireSuccessIn, 'staging');
  });

  // Own keys only: Object.prototype members such as `constructor` are no environments.
  for (const inherited of ['constructor', 'toString']) {
    it(`rejects requireSuccessIn naming the inherited property ${inherited}`, () => {
      assert.deepEqual(problemsOf(config(env('production', `\n        requireSuccessIn: ${inherited}`))), [
        `${P}.requireSuccessIn: no environment '${inherited}' in backend (have: production)`,
      ]);
    });
  }

  it('lists cross-field problems together with a bad value elsewhere in the environment', () => {
    const problems = problemsOf(
      config(env('production', CROSS_FIELD).replace('"https://production.example.com"', '"not a url"')),
    );
    assert.deepEqual(problems.sort(), [
      `${P}.health.url: a URL like https://api.example.com`,
      `${P}.migration.service: no service 'api' in this environment (have: web)`,
      `${P}.requireSuccessIn: no environment 'staging' in backend (have: production)`,
    ]);
  });

  // The cross-field checks (migration.service, requireSuccessIn) run even when a value below
  // them aborted its own parsing, so a file's problems are all listed in one pass.
  for (const [what, extra, problem] of [
    [
      'an unreadable duration',
      '\n        monitoring: { window: "15" }',
      `${P}.monitoring.window: a duration like 30s, 5m or 1h`,
    ],
    [
      'a number where a duration belongs',
      '\n        monitoring: { window: 15 }',
      `${P}.monitoring.window: a duration like 30s, 5m or 1h`,
    ],
  ] as const) {
    it(`lists cross-field problems together with ${what} in one pass`, () => {
      assert.deepEqual(
        problemsOf(config(env('production', CROSS_FIELD + extra))).sort(),
        [
          problem,
          `${P}.migration.service: no service 'api' in this environment (have: web)`,
          `${P}.requireSuccessIn: no environment 'staging' in backend (have: production)`,
        ].sort(),
      );
    });
  }
});

describe('parseConfig on lease timings', () => {
  it('refuses a lock that would lapse between the reconciler’s heartbeats', () => {
    const problems = problemsOf(`engine: { lockTtl: 1m, startTimeout: 30s }\n${config(env('production'))}`);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(
      problems[0] ?? '',
      /^engine\.lockTtl: 1m is too short: at least 3 reconcile intervals \(3m\),/,
    );
    assert.match(
      problems[1] ?? '',
      /^engine\.startTimeout: 30s is too short: at least the reconcile interval \(1m\),/,
    );
  });

  it('accepts short timings with a reconcile interval to match', () => {
    const parsed = parseConfig(
      `engine: { lockTtl: 10s, startTimeout: 30s, reconcileInterval: 1s }\n${config(env('production'))}`,
    );
    assert.equal(parsed.engine.reconcileInterval, 1_000);
  });
});
