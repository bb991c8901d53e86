import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics';

export interface OpsServerOptions {
  metrics: Metrics;
  /** Ready means the process can do its work: Redis answers. */
  ready: () => Promise<boolean>;
}

/**
 * GET /healthz (the process is up), /readyz (it can reach Redis) and /metrics.
 * The Slack interface mounts POST /slack/events beside these on the same port.
 */
export function createOpsServer(options: OpsServerOptions): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      options
        .ready()
        .catch(() => false)
        .then((ready) => {
          response
            .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
            .end(ready ? 'ready\n' : 'redis unreachable\n');
        });
      return;
    }
    if (path === '/metrics') {
      options.metrics.registry
        .metrics()
        .then((text) =>
          response.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text),
        )
        .catch(() => response.writeHead(500).end());
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}
