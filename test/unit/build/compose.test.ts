import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../support/spawn';
import { dockerignore } from './dockerignore';

interface Healthcheck {
  test: string[] | string;
  disable?: boolean;
}

interface Service {
  build?: string;
  image?: string;
  environment?: Record<string, string | number | null>;
  env_file?: (string | { path: string; required?: boolean })[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: Healthcheck;
  stop_grace_period?: string;
  command?: string[];
  ports?: string[];
}

/** A Compose duration (`1m30s`, `45s`, `500ms`) in milliseconds. */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g)];
  assert.equal(parts.map((p) => p[0]).join(''), text, `${text} is not a duration`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * (units[p[2] as string] as number), 0);
}

const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|ACCESS_KEY|PRIVATE/i;

describe('compose.yaml', () => {
  const text = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');
  const compose = parse(text, { merge: true }) as { services: Record<string, Service> };
  const { services } = compose;
  const bots = Object.entries(services).filter(([, service]) => service.environment?.DEPLOYBOT_ROLE);

  it('runs the web side, two workers and Redis', () => {
    assert.deepEqual(Object.keys(services).sort(), ['redis', 'web', 'worker-1', 'worker-2']);
    assert.deepEqual(
      Object.fromEntries(bots.map(([name, service]) => [name, service.environment?.DEPLOYBOT_ROLE])),
      { web: 'web', 'worker-1': 'worker', 'worker-2': 'worker' },
    );
  });

  it('builds the bot from this repository’s Dockerfile and points every process at the Redis service', () => {
    for (const [name, service] of bots) {
      assert.equal(service.build, '.', name);
      const redis = new URL(String(service.environment?.REDIS_URL));
      assert.equal(redis.hostname, 'redis', name);
      assert.equal(redis.password, '', `${name}: a Redis password belongs in .env, not in REDIS_URL here`);
    }
    assert.ok(
      services.web?.ports?.some((port) => port.endsWith(':3000')),
      'web is reachable for Slack',
    );
  });

  it('gives each service a health check, the bot’s on the port it listens on', () => {
    for (const [name, service] of Object.entries(services)) {
      const check = service.healthcheck;
      assert.ok(check && !check.disable, `${name} has a health check`);
      assert.ok(Array.isArray(check.test) && check.test[0] === 'CMD', `${name}: exec form`);
    }
    for (const [name, service] of bots) {
      const probe = (service.healthcheck?.test as string[]).join(' ');
      assert.match(probe, /\/(readyz|healthz)'/, name);
      // The probe reads PORT as the process does (src/main.ts: PORT, default 3000).
      assert.match(probe, /process\.env\.PORT\|\|3000/, name);
      assert.equal(String(service.environment?.PORT ?? 3000), '3000', name);
    }
    assert.match((services.redis?.healthcheck?.test as string[]).join(' '), /redis-cli ping/);
  });

  it('starts the bot once Redis answers, and Redis never evicts BullMQ’s keys', () => {
    for (const [name, service] of bots) {
      assert.deepEqual(service.depends_on, { redis: { condition: 'service_healthy' } }, name);
    }
    assert.match(services.redis?.command?.join(' ') ?? '', /--maxmemory-policy noeviction/);
  });

  it('gives running steps their shutdown wait before Docker kills a process', () => {
    const main = readFileSync(join(ROOT, 'src/main.ts'), 'utf8');
    const wait = /const SHUTDOWN_WAIT_MS = ([\d_]+);/.exec(main)?.[1];
    assert.ok(wait, 'src/main.ts declares SHUTDOWN_WAIT_MS');
    for (const [name, service] of bots) {
      assert.ok(durationMs(service.stop_grace_period ?? '10s') > Number(wait.replace(/_/g, '')), name);
    }
  });

  it('holds no secret: they come from an env file that neither git nor Docker picks up', () => {
    for (const [name, service] of Object.entries(services)) {
      const secrets = Object.keys(service.environment ?? {}).filter((key) => SECRET_NAME.test(key));
      assert.deepEqual(secrets, [], `${name} sets a secret in compose.yaml`);
    }
    // Nothing shaped like a Slack token, an AWS key id or a URL with a password.
    assert.doesNotMatch(text, /xox[a-z]-|xapp-|AKIA[0-9A-Z]{16}|:\/\/[^/\s:@]*:[^/\s@]+@/);
    const gitignore = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    const ignored = dockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
    for (const [name, service] of bots) {
      const files = (service.env_file ?? []).map((f) => (typeof f === 'string' ? f : f.path));
      assert.ok(files.length > 0, `${name} reads its secrets from an env file`);
      for (const file of files) {
        const path = file.replace(/^\.\//, '');
        assert.ok(gitignore.includes(path), `${path} is not in .gitignore`);
        assert.ok(ignored(path), `${path} would reach the Docker build context`);
      }
    }
  });
});
