/**
 * A closed-loop HTTP load generator for signed Slack requests: `concurrency`
 * workers each send one request, wait for the whole answer, then send the next.
 */
import http from 'node:http';
import { signSlackRequest } from '../test/support/slack-requests';

/** Somewhere to send slash commands, and how to build the i-th one. */
export interface Target {
  name: string;
  url: URL;
  /** A keep-alive agent of its own, so both targets get the same connection reuse. */
  agent: http.Agent;
  signingSecret: string;
  /** The form body of the i-th request. */
  body(i: number): string;
  /** Throws when an answer is not what the i-th request should get. */
  check?(i: number, body: string): void;
}

export interface Answer {
  status: number;
  body: string;
  /** From just before the request is written to the end of the response, in ms. */
  ms: number;
}

/** One measured request: its number (which says what it was) and its latency in ms. */
export interface Sample {
  i: number;
  ms: number;
}

export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 256 });
}

interface Prepared {
  i: number;
  body: string;
  headers: Record<string, string>;
}

/** Builds and signs the request as Slack does (the signature stays valid for five minutes). */
function prepare(target: Target, i: number): Prepared {
  const body = target.body(i);
  return {
    i,
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      ...signSlackRequest(target.signingSecret, body, Math.floor(Date.now() / 1000)),
    },
  };
}

/** POSTs a prepared request; times only the HTTP exchange. */
function post(target: Target, request: Prepared): Promise<Answer> {
  return new Promise<Answer>((resolve, reject) => {
    const started = process.hrtime.bigint();
    const outgoing = http.request(
      {
        agent: target.agent,
        host: target.url.hostname,
        port: target.url.port,
        path: target.url.pathname,
        method: 'POST',
        headers: request.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `requests` requests to the target with `concurrency` in flight (each
 * worker pausing `gapMs` after every answer). Requests are numbered from
 * `firstIndex`, so bodies (and their trigger_ids) never repeat across calls, and
 * all are built and signed before the first is sent: the client's own work stays
 * out of the event loop the servers share with it. Any error, or an answer that
 * fails the target's check, rejects the whole run.
 */
export async function runLoad(
  target: Target,
  options: { requests: number; concurrency: number; firstIndex: number; gapMs?: number },
): Promise<Sample[]> {
  const prepared = Array.from({ length: options.requests }, (_, k) =>
    prepare(target, options.firstIndex + k),
  );
  const samples: Sample[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < prepared.length) {
      const request = prepared[next++] as Prepared;
      const answer = await post(target, request);
      if (answer.status !== 200) {
        throw new Error(
          `${target.name}: request ${request.i} answered ${answer.status}: ${answer.body.slice(0, 200)}`,
        );
      }
      target.check?.(request.i, answer.body);
      samples.push({ i: request.i, ms: answer.ms });
      if (options.gapMs) await sleep(options.gapMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, prepared.length) }, worker));
  return samples;
}
