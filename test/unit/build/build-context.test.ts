import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../../support/spawn';
import { copies, stages } from './dockerfile';
import { dockerignore } from './dockerignore';
import { productionBuild } from './production-build';

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(ROOT, dir, name);
    return statSync(path).isDirectory() ? filesUnder(relative(ROOT, path)) : [relative(ROOT, path)];
  });
}

/**
 * .dockerignore is an allowlist: the build context holds what the image is
 * built from and nothing else, so neither the code we keep out of the image nor
 * a developer's secrets (.env) or node_modules can slip into a layer.
 */
describe('the Docker build context', () => {
  const ignored = dockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
  const contextSources = stages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
    .flatMap(copies)
    .filter((copy) => copy.from === undefined)
    .flatMap((copy) => copy.sources);

  it('lets through every file the Dockerfile copies from the context', () => {
    assert.ok(contextSources.length > 0);
    assert.deepEqual(
      contextSources.filter((source) => ignored(source)),
      [],
    );
  });

  it('lets through every file the build compiles', function () {
    this.timeout(120_000);
    assert.deepEqual(
      productionBuild().files.filter((file) => ignored(file)),
      [],
    );
  });

  it('keeps out the sandbox, the benchmarks and the tests', () => {
    const outside = [...filesUnder('src/sandbox'), ...filesUnder('bench'), ...filesUnder('test')];
    assert.ok(outside.length > 0);
    assert.deepEqual(
      outside.filter((file) => !ignored(file)),
      [],
    );
  });

  it('keeps out secrets, local configuration, dependencies and build output', () => {
    for (const path of [
      '.env',
      'deploybot.yaml',
      'node_modules/ioredis/package.json',
      'dist/src/main.js',
      '.git/config',
      'coverage/lcov.info',
      'compose.yaml',
      'deploy/iam-policy.json',
    ]) {
      assert.ok(ignored(path), `${path} reaches the build context`);
    }
  });

  it('reads .dockerignore as Docker does: the last matching pattern decides, for a path or its folders', () => {
    const rules = dockerignore('*\n!src\nsrc/sandbox\n!src/sandbox/keep.ts\n**/*.log\n');
    assert.equal(rules('README.md'), true);
    assert.equal(rules('src/main.ts'), false);
    assert.equal(rules('src/sandbox/main.ts'), true);
    assert.equal(rules('src/sandbox/keep.ts'), false);
    assert.equal(rules('src/debug.log'), true);
    assert.equal(rules('src'), false);
  });
});
