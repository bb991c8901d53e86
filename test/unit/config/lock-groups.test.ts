import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/config/load';
import { lockScopeResolver, sharedResourceConflicts } from '../../../src/config/lock-groups';
import { ConfigError } from '../../../src/domain/errors';

/** An environment on `cluster` running `service`, plus `extra` lines; indented to sit under `environments:`. */
function env(name: string, cluster: string, service: string, extra = ''): string {
  return `
      ${name}:
        cluster: ${cluster}
        services: [{ name: ${service}, containers: [app] }]
        logs: { group: /ecs/${service} }
        health: { url: "https://${name}.example.com", endpoints: [/health] }${extra}`;
}

function app(name: string, ...environments: string[]): string {
  return `\n  ${name}:\n    environments:${environments.join('')}`;
}

function config(...apps: string[]): string {
  return `apps:${apps.join('')}\n`;
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

const GROUP = (name: string) => `\n        lockGroup: ${name}`;

describe('lock groups in the configuration', () => {
  it('refuses two apps on one ECS service, naming both places and the service, one line each', () => {
    const text = config(
      app('shop', env('production', 'prod', 'web')),
      app('billing', env('production', 'prod', 'web')),
    );
    const problems = problemsOf(text);
    assert.deepEqual(problems, [
      'apps.billing.environments.production: shares the ECS service web in cluster prod with ' +
        'apps.shop.environments.production; declare both in one lock group (the same `lockGroup:` on each) ' +
        'or point them at different resources',
    ]);
    assert.ok(problems.every((p) => !p.includes('\n')));
  });

  it('refuses two environments of one app on one database, RDS instance or Aurora cluster', () => {
    const instance = '\n        database: { instance: main-db }';
    assert.match(
      problemsOf(
        config(app('shop', env('staging', 's', 'web', instance), env('production', 'p', 'web', instance))),
      ).join('\n'),
      /^apps\.shop\.environments\.production: shares the RDS instance main-db with apps\.shop\.environments\.staging;/,
    );
    const aurora = '\n        database: { cluster: main-aurora }';
    assert.match(
      problemsOf(
        config(app('a', env('live', 'a', 'web', aurora)), app('b', env('live', 'b', 'web', aurora))),
      ).join('\n'),
      /^apps\.b\.environments\.live: shares the Aurora cluster main-aurora with apps\.a\.environments\.live;/,
    );
  });

  it('reports every place after the first that shares a resource, alongside other problems', () => {
    const problems = problemsOf(
      config(
        app('a', env('live', 'prod', 'web')),
        app('b', env('live', 'prod', 'web')),
        app('c', env('live', 'prod', 'web', '\n        requireSuccessIn: nowhere')),
      ),
    );
    assert.deepEqual(
      problems.map((p) => p.split(':')[0]),
      ['apps.c.environments.live.requireSuccessIn', 'apps.b.environments.live', 'apps.c.environments.live'],
    );
  });

  it('allows sharing between environments declared one lock group, and only then', () => {
    const shared = config(
      app('shop', env('production', 'prod', 'web', GROUP('storefront'))),
      app('billing', env('production', 'prod', 'web', GROUP('storefront'))),
    );
    assert.doesNotThrow(() => parseConfig(shared));
    const oneSided = shared.replace(GROUP('storefront'), '');
    assert.equal(problemsOf(oneSided).length, 1, 'a group declared on one side only');
    const twoGroups = shared.replace(GROUP('storefront'), GROUP('other'));
    assert.equal(problemsOf(twoGroups).length, 1, 'two different groups');
  });

  it('tells apart services of the same name on different clusters, and instance from cluster ids', () => {
    assert.doesNotThrow(() =>
      parseConfig(
        config(
          app('shop', env('staging', 'staging', 'web', '\n        database: { instance: db }')),
          app('billing', env('staging', 'other', 'web', '\n        database: { cluster: db }')),
        ),
      ),
    );
  });

  it('refuses an invalid group name', () => {
    assert.deepEqual(problemsOf(config(app('shop', env('live', 'c', 'web', GROUP('"two words"'))))), [
      'apps.shop.environments.live.lockGroup: a name of letters, digits, ".", "_" or "-"',
    ]);
  });

  it('reports two environments sharing a service and a database as one mistake, naming both', () => {
    const db = '\n        database: { instance: main-db }';
    assert.deepEqual(
      problemsOf(
        config(app('shop', env('staging', 'prod', 'web', db), env('production', 'prod', 'web', db))),
      ),
      [
        'apps.shop.environments.production: shares the ECS service web in cluster prod and the RDS instance main-db ' +
          'with apps.shop.environments.staging; declare both in one lock group (the same `lockGroup:` on each) ' +
          'or point them at different resources',
      ],
    );
  });

  it('judges partial data without throwing (every problem listed in one pass)', () => {
    assert.deepEqual(sharedResourceConflicts(null), []);
    assert.deepEqual(sharedResourceConflicts({ a: { environments: { x: { services: 'web' } } } }), []);
  });
});

describe('lockScopeResolver', () => {
  const parsed = parseConfig(
    config(
      app('shop', env('production', 'prod', 'web', GROUP('storefront')), env('staging', 'stage', 'web')),
      app('billing', env('production', 'prod', 'web', GROUP('storefront'))),
    ),
  );
  const lockScopeOf = lockScopeResolver(parsed);

  it('maps the members of a group to one scope no app can have', () => {
    const shop = lockScopeOf({ app: 'shop', environment: 'production' });
    assert.deepEqual(lockScopeOf({ app: 'billing', environment: 'production' }), shop);
    assert.ok(!Object.hasOwn(parsed.apps, shop.app));
    assert.match(shop.app, /^[^A-Za-z0-9]/, 'configured app names start with a letter or digit');
  });

  it('maps any other scope to itself', () => {
    for (const scope of [
      { app: 'shop', environment: 'staging' },
      { app: 'nope', environment: 'production' },
      { app: 'constructor', environment: '__proto__' },
    ]) {
      assert.deepEqual(lockScopeOf(scope), scope);
    }
  });
});
