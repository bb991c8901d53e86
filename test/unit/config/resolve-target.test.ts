import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/load';
import { resolveTarget } from '../../../src/config/target';
import { InvalidRequestError } from '../../../src/domain/errors';

const EXAMPLE = parseConfig(readFileSync(join(__dirname, '../../../deploybot.example.yaml'), 'utf8'));

/** Each environment on a cluster named after its URL: environments may not share a service. */
function environment(url: string): string {
  return `
        cluster: ${new URL(url).hostname.split('.')[0]}
        services: [{ name: web, containers: [web] }]
        logs: { group: /ecs/web }
        health: { url: "${url}", endpoints: [/health] }`;
}

/** One app with one environment. */
const SINGLE = parseConfig(`
apps:
  shop:
    environments:
      live:${environment('https://shop.example.com')}
`);

/** Two apps; `shop` has one environment, `backend` two. */
const MULTI = parseConfig(`
apps:
  backend:
    environments:
      staging:${environment('https://staging.example.com')}
      production:${environment('https://api.example.com')}
  shop:
    environments:
      live:${environment('https://shop.example.com')}
`);

function refusal(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidRequestError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  });
}

describe('resolveTarget', () => {
  it('defaults both app and environment when only one of each is configured', () => {
    const target = resolveTarget(SINGLE, undefined, undefined);
    assert.equal(target.app, 'shop');
    assert.equal(target.environment, 'live');
    assert.equal(target.config, SINGLE.apps.shop?.environments.live);
  });

  it('defaults the environment of an app that has only one', () => {
    const target = resolveTarget(MULTI, 'shop');
    assert.deepEqual([target.app, target.environment], ['shop', 'live']);
  });

  it('returns the configuration of the named app and environment', () => {
    const target = resolveTarget(EXAMPLE, 'backend', 'production');
    assert.equal(target.config, EXAMPLE.apps.backend?.environments.production);
    assert.equal(target.config.cluster, 'social-analytics-cluster');
  });

  it('defaults the app when only one is configured but the environment is named', () => {
    const target = resolveTarget(EXAMPLE, undefined, 'staging');
    assert.deepEqual([target.app, target.environment], ['backend', 'staging']);
  });

  const REFUSALS: [string, () => unknown, string, string][] = [
    [
      'an unknown app, listing the configured apps',
      () => resolveTarget(MULTI, 'frontend', 'production'),
      'unknown_app',
      'unknown app "frontend"; configured apps: backend, shop',
    ],
    [
      'an unknown environment, listing the configured ones',
      () => resolveTarget(EXAMPLE, 'backend', 'prod'),
      'unknown_environment',
      'unknown environment "prod" for backend; configured: staging, production',
    ],
    [
      'an environment of another app',
      () => resolveTarget(MULTI, 'shop', 'production'),
      'unknown_environment',
      'unknown environment "production" for shop; configured: live',
    ],
    [
      'an environment name with a typo, suggesting the one meant',
      () => resolveTarget(EXAMPLE, 'backend', 'prodution'),
      'unknown_environment',
      'unknown environment "prodution" for backend (did you mean production?); configured: staging, production',
    ],
    [
      'no app when several are configured',
      () => resolveTarget(MULTI, undefined, 'live'),
      'ambiguous_target',
      'name the app: one of backend, shop',
    ],
    [
      'no environment when the app has several',
      () => resolveTarget(EXAMPLE, 'backend'),
      'ambiguous_target',
      'name the environment of backend: one of staging, production',
    ],
    [
      'an app name differing only in case',
      () => resolveTarget(EXAMPLE, 'Backend', 'staging'),
      'unknown_app',
      'unknown app "Backend" (did you mean backend?); configured apps: backend',
    ],
  ];
  for (const [what, fn, code, message] of REFUSALS) {
    it(`refuses ${what}`, () => refusal(fn, code, message));
  }

  // Own keys only: names from chat that are Object.prototype members are unknown, not found.
  for (const name of ['constructor', '__proto__', 'toString']) {
    it(`refuses the app name ${name} as unknown`, () => {
      refusal(
        () => resolveTarget(EXAMPLE, name, 'production'),
        'unknown_app',
        `unknown app "${name}"; configured apps: backend`,
      );
    });

    it(`refuses the environment name ${name} as unknown`, () => {
      refusal(
        () => resolveTarget(EXAMPLE, 'backend', name),
        'unknown_environment',
        `unknown environment "${name}" for backend; configured: staging, production`,
      );
    });
  }
});
