import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../domain/errors';
import { configSchema, type Config } from './schema';

/** Parses and validates configuration text; every problem is listed by its path in the file. */
export function parseConfig(text: string, source = 'configuration'): Config {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((e) => e.message.split('\n')[0] ?? e.message);
    throw new ConfigError(`${source} is not valid YAML:\n  ${problems.join('\n  ')}`, problems);
  }
  const result = configSchema.safeParse(document.toJS());
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    });
    throw new ConfigError(`${source} is invalid:\n  ${problems.join('\n  ')}`, problems);
  }
  return result.data;
}

export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(
      `cannot read configuration ${path}: ${reason} (set DEPLOYBOT_CONFIG, or start from deploybot.example.yaml)`,
      [],
      { cause: error },
    );
  }
  return parseConfig(text, path);
}

export function configPathFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.DEPLOYBOT_CONFIG || './deploybot.yaml';
}
