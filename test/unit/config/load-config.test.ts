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
      message: `${path} is invalid:\n  apps: at least one app, e.g. backend:`,
    });
  });

  describe('on text that is not YAML', () => {
    const BROKEN: [string, string, string][] = [
      [
        'an unclosed flow sequence',
        'apps: [unclosed',
        'line 1, column 16: Flow sequence in block collection must be sufficiently indented and end with a ]',
      ],
      ['a duplicate key', 'apps: {}\napps: {}\n', 'line 2, column 1: Map keys must be unique'],
      [
        'a tab used for indentation',
        'apps:\n\tbackend: {}\n',
        'line 2, column 1: Tabs are not allowed as indentation',
      ],
      [
        // YAML's parser reports this one bad indent as a cascade of errors; only the first is news.
        'one key indented one space too little, in the middle of a file',
        'apps:\n  backend:\n    environments:\n      production:\n        cluster: c\n       services: []\n        logs: { group: /x }\n        health: { url: x }\n',
        'line 6, column 1: All mapping items must start at the same column',
      ],
    ];
    for (const [what, text, problem] of BROKEN) {
      it(`reports ${what} as one line with its line and column, before any validation`, () => {
        const path = write(text);
        assert.throws(
          () => loadConfig(path),
          (error: unknown) => {
            assert.ok(error instanceof ConfigError);
            assert.equal(error.message, `${path} ${problem}`);
            assert.deepEqual(error.problems, [problem]);
            return true;
          },
        );
      });
    }
  });

  for (const [what, text] of [
    ['an empty file', ''],
    ['a file of blank lines and comments', '\n# deploybot configuration\n\n'],
  ]) {
    it(`says ${what} is empty and what a minimal configuration needs`, () => {
      const path = write(text ?? '');
      assert.throws(() => loadConfig(path), {
        name: 'ConfigError',
        message:
          `${path} is empty: a configuration needs at least apps.<app>.environments.<environment> ` +
          'with cluster, services, logs.group, health.url and health.endpoints (start from deploybot.example.yaml)',
      });
    });
  }
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
