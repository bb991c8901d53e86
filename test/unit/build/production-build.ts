import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../../support/spawn';

/** The configuration `npm run build` compiles with, and so the image's dist. */
export const BUILD_CONFIG = 'tsconfig.build.json';

export interface ProductionBuild {
  options: ts.CompilerOptions;
  /** The output folder, relative to the repository (`dist`). */
  outDir: string;
  /**
   * Every source file tsc compiles and emits, relative to the repository: the
   * config's include list plus whatever those files import, as `tsc
   * --listFilesOnly` prints them, without the type declarations.
   */
  files: string[];
}

let cached: ProductionBuild | undefined;

/** Builds the TypeScript program once per test run (about 10 s); no type check, no emit. */
export function productionBuild(): ProductionBuild {
  cached ??= load();
  return cached;
}

function load(): ProductionBuild {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, BUILD_CONFIG),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error(`${BUILD_CONFIG} did not parse`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const files = program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !program.isSourceFileFromExternalLibrary(f))
    .map((f) => relative(ROOT, f.fileName))
    .sort();
  return { options: parsed.options, outDir: relative(ROOT, parsed.options.outDir ?? ROOT), files };
}

/**
 * Writes the build's JavaScript for `files` under `dir`, laid out as in dist.
 * tsc emits CommonJS here (package.json has no "type": "module"), so each file
 * is transpiled alone to CommonJS with the build's options: the same code in a
 * second instead of a type-checked emit of a minute. Type errors are the
 * typecheck's business, not this one's.
 */
export function transpileInto(dir: string, build: ProductionBuild): void {
  const options: ts.CompilerOptions = {
    ...build.options,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: undefined,
    sourceMap: false,
    noEmit: false,
  };
  for (const file of build.files) {
    const out = ts.transpileModule(readFileSync(join(ROOT, file), 'utf8'), {
      compilerOptions: options,
      fileName: file,
    });
    const target = join(dir, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
}

/**
 * `dir/node_modules` as `npm ci --omit=dev` leaves it: a link to each top-level
 * package the lockfile does not mark dev-only. Code under `dir` then resolves
 * production packages and nothing else, as in the image.
 */
export function linkProductionModules(dir: string): string[] {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const names = Object.entries(lock.packages)
    .filter(([path, meta]) => /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !meta.dev)
    .map(([path]) => path.slice('node_modules/'.length));
  for (const name of names) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
  return names;
}
