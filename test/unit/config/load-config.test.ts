import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPathFromEnv, loadConfig } from '../../../src/config/load';
import { ConfigError } from '../../../src/domain/errors';

const EXAMPLE = join(__dirname, '../../../deploybot.example.yaml');

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploybot-config-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function write(text: string): string {
    const path = join(dir, 'deploybot.yaml');
    writeFileSync(path, text);
    return path;
  }

  it('loads and validates deploybot.example.yaml', () => {
    const config = loadConfig(EXAMPLE);
    assert.equal(config.apps.backend?.environments.production?.monitoring.window, 900_000);
  });

  it('on a missing file, names the path and points at DEPLOYBOT_CONFIG', () => {
    const path = join(dir, 'nope.yaml');
    assert.throws(
      () => loadConfig(path),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.code, 'config_invalid');
        assert.equal(
          error.message,
          `cannot read configuration ${path}: no such file (set DEPLOYBOT_CONFIG, or start from deploybot.example.yaml)`,
        );
        assert.deepEqual(error.problems, []);
        assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
        return true;
      },
    );
  });

  it('on a directory instead of a file, still mentions DEPLOYBOT_CONFIG', () => {
    assert.throws(
      () => loadConfig(dir),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, new RegExp(`^cannot read configuration ${dir}: .*EISDIR`));
        assert.match(error.message, /DEPLOYBOT_CONFIG/);
        return true;
      },
    );
  });

  it('names the file in validation errors', () => {
    const path = write('apps: {}\n');
    assert.throws(() => loadConfig(path), {
      name: 'ConfigError',
      message: `${path} is invalid:\n  apps: expected at least one app`,
    });
  });

  describe('on text that is not YAML', () => {
    const BROKEN: [string, string, RegExp][] = [
      ['an unclosed flow sequence', 'apps: [unclosed', /^Flow sequence .* at line 1, column 16:$/],
      ['a duplicate key', 'apps: {}\napps: {}\n', /^Map keys must be unique at line 2, column 1:$/],
      ['a tab used for indentation', 'apps:\n\tbackend: {}\n', /line 2/],
    ];
    for (const [what, text, problem] of BROKEN) {
      it(`reports ${what} with its line, before any validation`, () => {
        const path = write(text);
        assert.throws(
          () => loadConfig(path),
          (error: unknown) => {
            assert.ok(error instanceof ConfigError);
            assert.ok(error.message.startsWith(`${path} is not valid YAML:\n  `), error.message);
            assert.ok(error.problems.length >= 1);
            assert.match(error.problems[0] ?? '', problem);
            assert.ok(
              error.problems.every((p) => !p.includes('\n')),
              'one line per problem',
            );
            return true;
          },
        );
      });
    }
  });
});

describe('configPathFromEnv', () => {
  const CASES: [string, NodeJS.ProcessEnv, string][] = [
    [
      'DEPLOYBOT_CONFIG when set',
      { DEPLOYBOT_CONFIG: '/etc/deploybot/config.yaml' },
      '/etc/deploybot/config.yaml',
    ],
    ['./deploybot.yaml when unset', {}, './deploybot.yaml'],
    ['./deploybot.yaml when set but empty', { DEPLOYBOT_CONFIG: '' }, './deploybot.yaml'],
  ];
  for (const [what, env, expected] of CASES) {
    it(`answers ${what}`, () => {
      assert.equal(configPathFromEnv(env), expected);
    });
  }
});
