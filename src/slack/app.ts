import { App, HTTPReceiver, type CustomRoute } from '@slack/bolt';
import { ConfigError } from '../domain/errors';
import type { Logger } from '../logging/logger';
import { registerDeployCommand } from '../../commands/deploy';
import { registerReleaseActions } from '../../commands/release-actions';
import { registerRollback } from '../../commands/rollback';
import { registerQueueActions } from '../../commands/queue-actions';
import { registerReview } from '../../commands/review';
import { registerHome } from '../../commands/home';
import { boltLogger } from './bolt-logger';
import { guardAgainstReplays } from './replay-guard';
import { guardHttpReceiver } from './request-guard';
import { GuardedSocketModeReceiver, type SocketModeTuning } from './socket-mode-receiver';
import { registerUnhandledRequests } from './unhandled-requests';
import type { SlackDeps } from './slack-deps';

export type { SocketModeTuning } from './socket-mode-receiver';

export interface SlackSecrets {
  botToken: string;
  /** HTTP mode: requests to /slack/events are verified with it. */
  signingSecret?: string;
  /** Socket Mode, when set. */
  appToken?: string;
  /** Web API base URL (SLACK_API_URL); Slack's own when unset. */
  apiUrl?: string;
}

/** Reads Slack's settings from the environment, refusing a combination that cannot work. */
export function slackSecretsFromEnv(env: NodeJS.ProcessEnv): SlackSecrets | undefined {
  const botToken = env.SLACK_BOT_TOKEN?.trim();
  if (!botToken) return undefined;
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim();
  const appToken = env.SLACK_APP_TOKEN?.trim();
  if (!signingSecret && !appToken) {
    throw new ConfigError(
      'SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode)',
    );
  }
  return {
    botToken,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    ...(env.SLACK_API_URL?.trim() ? { apiUrl: env.SLACK_API_URL.trim() } : {}),
  };
}

/**
 * The Bolt app. HTTP mode: POST /slack/events, plus our own routes (/healthz,
 * /readyz, /metrics) on the same port; `app.start(port)` answers the server.
 * Socket Mode (an app token): no HTTP server at all, so `routes` must be empty
 * and the caller serves them (createOpsServer); `app.start()` answers once the
 * first WebSocket connection said hello.
 */
export function createSlackApp(
  secrets: SlackSecrets,
  deps: SlackDeps,
  routes: CustomRoute[],
  logger: Logger,
  socketMode: SocketModeTuning = {},
): App {
  const log = boltLogger(logger);
  if (secrets.appToken && routes.length > 0) {
    // Bolt's SocketModeReceiver would serve them on a port of its own choosing (3000), unawaited.
    throw new Error('Socket Mode serves no HTTP: serve the custom routes with the ops server');
  }
  const receiver = secrets.appToken
    ? new GuardedSocketModeReceiver(secrets.appToken, secrets.apiUrl, logger, socketMode)
    : guardedHttpReceiver(secrets.signingSecret as string, routes, logger);
  const app = new App({
    token: secrets.botToken,
    receiver,
    logger: log,
    // No listener reads conversation context; its store would be work on every request's path.
    convoStore: false,
    clientOptions: {
      ...(secrets.apiUrl ? { slackApiUrl: secrets.apiUrl } : {}),
      // Rate-limited calls wait for Retry-After and try again rather than being dropped.
      rejectRateLimitedCalls: false,
    },
  });
  // Global middleware, in order: ack whatever no listener acks, then drop replayed clicks.
  registerUnhandledRequests(app, logger);
  app.use(guardAgainstReplays({ redis: deps.redis, prefix: deps.prefix, logger }));
  registerDeployCommand(app, deps);
  registerReleaseActions(app, deps);
  registerRollback(app, deps);
  registerQueueActions(app, deps);
  registerReview(app, deps);
  if (deps.home) registerHome(app, { home: deps.home, logger });
  app.error(async (error) => {
    logger.error({ err: error }, 'slack listener failed');
  });
  return app;
}

const SLACK_EVENTS_PATH = '/slack/events';

/**
 * Bolt's HTTPReceiver behind our request guard (request-guard.ts): the guard
 * reads, verifies and checks every POST to /slack/events and hands Bolt only
 * what Slack could have sent. HTTPReceiver#start serves `this.requestListener`,
 * a public property, so putting the guard there covers every request its
 * server takes; the custom routes pass through untouched.
 */
function guardedHttpReceiver(signingSecret: string, routes: CustomRoute[], logger: Logger): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    customRoutes: routes,
    logger: boltLogger(logger),
    // A slow listener must not leave Slack without an answer: Bolt answers 2xx
    // when ack() is called, and every listener acks before doing any I/O.
    processBeforeResponse: false,
  });
  // The guard verifies every signature first; Bolt's own (second) check is then turned off with it.
  guardHttpReceiver(receiver, { signingSecret, endpoints: [SLACK_EVENTS_PATH], logger });
  return receiver;
}
