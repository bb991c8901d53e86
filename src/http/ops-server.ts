import { orWhenLate } from '../deadline';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Metrics } from './metrics';

export interface OpsServerOptions {
  metrics: Metrics;
  /** Ready means the process can do its work: Redis answers. */
  ready: () => Promise<boolean>;
  /**
   * A readiness check that has not answered by then counts as not ready. A
   * probe (kubelet's default timeout is 1 s) must get its 503 while Redis is
   * away, not a timeout of its own.
   */
  readyTimeoutMs?: number;
}

export const READY_TIMEOUT_MS = 500;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * GET /healthz (the process is up), /readyz (it can reach Redis) and /metrics.
 * Served alone, or as custom routes beside Bolt's POST /slack/events.
 */
export function opsRoutes(options: OpsServerOptions): { path: string; method: string[]; handler: Handler }[] {
  const method = ['GET', 'HEAD'];
  return [
    {
      path: '/healthz',
      method,
      handler: (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      },
    },
    {
      path: '/readyz',
      method,
      handler: (_request, response) => {
        withDeadline(options.ready, options.readyTimeoutMs ?? READY_TIMEOUT_MS).then((ready) => {
          response
            .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
            .end(ready ? 'ready\n' : 'redis unreachable\n');
        });
      },
    },
    {
      path: '/metrics',
      method,
      handler: (_request, response) => {
        options.metrics.registry
          .metrics()
          .then((text) =>
            response.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text),
          )
          .catch(() => response.writeHead(500).end());
      },
    },
  ];
}

export function createOpsServer(options: OpsServerOptions): Server {
  const routes = opsRoutes(options);
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const route = routes.find((r) => r.path === path);
    if (route) route.handler(request, response);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}

/** The check's answer, or false when it throws or has not answered within `ms`. */
function withDeadline(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const answer = Promise.resolve()
    .then(check)
    .catch(() => false);
  return orWhenLate(answer, ms, () => false);
}
