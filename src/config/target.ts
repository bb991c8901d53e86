import { InvalidRequestError } from '../domain/errors';
import { closestName } from './did-you-mean';
import type { Config, EnvironmentConfig } from './schema';

export interface Target {
  app: string;
  environment: string;
  config: EnvironmentConfig;
}

/**
 * Picks the app and environment a request names. Either may be left out when
 * the configuration has only one, so `/deploy v1.2.0` works for a one-app team.
 */
export function resolveTarget(config: Config, app?: string, environment?: string): Target {
  const appName = app ?? onlyKey(config.apps, 'app');
  // Own keys only: names from chat must not reach Object.prototype (`constructor`, `__proto__`).
  const appConfig = Object.hasOwn(config.apps, appName) ? config.apps[appName] : undefined;
  if (!appConfig) {
    throw new InvalidRequestError(
      'unknown_app',
      `unknown app "${appName}"${meant(appName, config.apps)}; configured apps: ${Object.keys(config.apps).join(', ')}`,
    );
  }
  const envName = environment ?? onlyKey(appConfig.environments, `environment of ${appName}`);
  const envConfig = Object.hasOwn(appConfig.environments, envName)
    ? appConfig.environments[envName]
    : undefined;
  if (!envConfig) {
    throw new InvalidRequestError(
      'unknown_environment',
      `unknown environment "${envName}" for ${appName}${meant(envName, appConfig.environments)}; configured: ${Object.keys(appConfig.environments).join(', ')}`,
    );
  }
  return { app: appName, environment: envName, config: envConfig };
}

/** ` (did you mean backend?)` for a name one typo or a case away from a configured one. */
function meant(name: string, record: Record<string, unknown>): string {
  const closest = closestName(name, Object.keys(record));
  return closest ? ` (did you mean ${closest}?)` : '';
}

function onlyKey(record: Record<string, unknown>, what: string): string {
  const keys = Object.keys(record);
  if (keys.length === 1) return keys[0] as string;
  throw new InvalidRequestError('ambiguous_target', `name the ${what}: one of ${keys.join(', ')}`);
}
