import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { ROOT } from '../../support/spawn';

/**
 * No Docker engine runs here, so the image is checked by what it runs: the
 * runtime stage installs production dependencies only and starts the compiled
 * main. Every package the shipped code imports must therefore be a production
 * dependency, and the paths in the Dockerfile must be the ones the build writes.
 */
const SHIPPED = ['src', 'jobs', 'commands'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function importedPackages(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map(
    (m) => m[1] as string,
  );
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string)));
}

describe('the production image', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('has every package the shipped code imports among the production dependencies', () => {
    const missing: string[] = [];
    for (const dir of SHIPPED) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        for (const name of importedPackages(file)) {
          if (!(name in pkg.dependencies)) missing.push(`${relative(ROOT, file)} imports ${name}`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });

  it('starts the compiled main that the build writes, as npm start does', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
    };
    assert.equal(build.compilerOptions.rootDir, '.');
    const main = `${build.compilerOptions.outDir}/src/main.js`;
    assert.match(dockerfile, new RegExp(`CMD \\["node", "${main.replace(/[./]/g, '\\$&')}"\\]`));
    assert.equal(pkg.scripts.start, `node ${main}`);
    assert.equal(pkg.bin.deploybot, `${build.compilerOptions.outDir}/commands/cli.js`);
  });

  it('copies every shipped source folder into the build stage', () => {
    for (const dir of SHIPPED) assert.match(dockerfile, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
  });

  it('runs as a non-root user on an LTS Node with a health check on /healthz', () => {
    const stages = [...dockerfile.matchAll(/^FROM node:(\d+)-/gm)].map((m) => Number(m[1]));
    assert.ok(stages.length >= 2, 'multi-stage');
    for (const major of stages) assert.equal(major % 2, 0, `Node ${major} is not an LTS line`);
    assert.match(dockerfile, /^USER node$/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/healthz/m);
    assert.match(dockerfile, /npm ci --omit=dev/);
  });
});
