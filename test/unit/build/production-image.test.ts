import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ROOT } from '../../support/spawn';
import { copies, stages, workdir, type Stage } from './dockerfile';
import { importedPackages } from './imported-packages';
import { productionBuild, type ProductionBuild } from './production-build';

/**
 * No Docker engine runs here, so the image is checked by what it runs: the
 * runtime stage installs production dependencies only, copies the build's
 * output and starts the compiled main. What the build compiles (the TypeScript
 * program of tsconfig.build.json) is therefore what the image ships.
 */
const SHIPPED = ['src', 'jobs', 'commands'];

/** Folders whose code must never reach the image, wherever they sit. */
const NOT_SHIPPED = /(^|\/)(sandbox|bench|test)(\/|$)/;

describe('the production image', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const all = stages(dockerfile);
  const runtime = all.at(-1) as Stage;
  let build: ProductionBuild;

  before(function () {
    this.timeout(120_000);
    build = productionBuild();
  });

  it('compiles only the bot: nothing from the sandbox, the benchmarks or the tests', () => {
    assert.ok(build.files.includes('src/main.ts'), 'the build compiles src/main.ts');
    assert.deepEqual(
      build.files.filter((file) => NOT_SHIPPED.test(file)),
      [],
      'a file outside src/sandbox imports one of these, or tsconfig.build.json includes them',
    );
    assert.deepEqual(
      build.files.filter((file) => !SHIPPED.some((dir) => file.startsWith(`${dir}/`))),
      [],
    );
  });

  it('has every package the compiled code imports among the production dependencies', () => {
    const missing: string[] = [];
    for (const file of build.files) {
      for (const name of importedPackages(file, readFileSync(join(ROOT, file), 'utf8'))) {
        if (!(name in pkg.dependencies)) missing.push(`${file} imports ${name}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('copies into the runtime stage only the build output, the manifests and the example config', () => {
    const buildStage = all.find((stage) => stage !== runtime && workdir(stage) !== undefined);
    assert.ok(buildStage?.name, 'a named build stage with a WORKDIR');
    const output = posix.join(workdir(buildStage) as string, build.outDir);
    const fromContext: string[] = [];
    for (const copy of copies(runtime)) {
      assert.ok(copy.from === undefined || copy.from === buildStage.name, `COPY --from=${copy.from}`);
      for (const source of copy.sources) {
        assert.doesNotMatch(source, NOT_SHIPPED);
        if (copy.from === undefined) fromContext.push(source);
        else
          assert.ok(source === output || source.startsWith(`${output}/`), `${source} is not under ${output}`);
      }
    }
    assert.deepEqual(fromContext.sort(), ['deploybot.example.yaml', 'package-lock.json', 'package.json']);
    for (const source of fromContext) assert.ok(existsSync(join(ROOT, source)), source);
  });

  it('starts the compiled main that the build writes, as npm start does', () => {
    assert.equal(build.outDir, 'dist');
    const main = `${build.outDir}/src/main.js`;
    assert.ok(build.files.includes('src/main.ts'));
    assert.match(dockerfile, new RegExp(`CMD \\["node", "${main.replace(/[./]/g, '\\$&')}"\\]`));
    assert.equal(pkg.scripts.start, `node ${main}`);
    assert.equal(pkg.bin.deploybot, `${build.outDir}/commands/cli.js`);
    assert.ok(build.files.includes('commands/cli.ts'));
  });

  it('copies every shipped source folder into the build stage', () => {
    for (const dir of SHIPPED) assert.match(dockerfile, new RegExp(`^COPY ${dir} \\./${dir}$`, 'm'));
  });

  it('runs as a non-root user on Node 24 with a health check on /healthz', () => {
    assert.ok(all.length >= 2, 'multi-stage');
    for (const stage of all) assert.match(stage.base, /^node:24-/);
    const keywords = runtime.instructions.map((i) => i.keyword);
    const user = runtime.instructions.filter((i) => i.keyword === 'USER').at(-1)?.args;
    assert.ok(user && user !== 'root' && user !== '0', `USER ${user}`);
    // Installing needs root; running must not: USER comes after the last RUN.
    assert.ok(keywords.lastIndexOf('USER') > keywords.lastIndexOf('RUN'));
    assert.match(runtime.instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '', /\/healthz/);
    assert.ok(
      runtime.instructions.some((i) => i.keyword === 'RUN' && /npm ci --omit=dev/.test(i.args)),
      'production dependencies only',
    );
  });
});
