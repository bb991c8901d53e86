import { readFileSync } from 'node:fs';
import { ConfigError } from '../domain/errors';
import { validate } from './config-problems';
import { readYaml } from './read-yaml';
import { configSchema, type Config } from './schema';

/**
 * Parses and validates configuration text. Every problem is listed once, one
 * line each, by its path in the file and in the file's own terms (see
 * config-problems.ts), so `deploybot check-config` reads as a to-do list.
 */
export function parseConfig(text: string, source = 'configuration'): Config {
  const result = validate(configSchema, readYaml(text, source));
  if (!result.ok) {
    throw new ConfigError(`${source} is invalid:\n  ${result.problems.join('\n  ')}`, result.problems);
  }
  return result.value;
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
