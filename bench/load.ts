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
  /** The form body of the i-th request (built and signed before the clock starts). */
  body(i: number): string;
  /** Throws when an answer is not what this request should get. */
  check?(i: number, status: number, body: string): void;
}

export interface Answer {
  status: number;
  body: string;
  /** From just before the request is written to the end of the response, in ms. */
  ms: number;
}

export function keepAliveAgent(): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: 256 });
}

/** POSTs `body` to the target signed as Slack signs it; times only the HTTP exchange. */
export function post(target: Target, body: string): Promise<Answer> {
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': String(Buffer.byteLength(body)),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signSlackRequest(target.signingSecret, body, Math.floor(Date.now() / 1000)),
  };
  return new Promise<Answer>((resolve, reject) => {
    const started = process.hrtime.bigint();
    const request = http.request(
      {
        agent: target.agent,
        host: target.url.hostname,
        port: target.url.port,
        path: target.url.pathname,
        method: 'POST',
        headers,
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
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Sends `requests` requests to the target with `concurrency` in flight; answers
 * each latency in ms. Request numbers continue from `firstIndex`, so bodies
 * (and their trigger_ids) never repeat across calls. Any error or an answer
 * that fails the target's check rejects the whole run.
 */
export async function runLoad(
  target: Target,
  options: { requests: number; concurrency: number; firstIndex: number },
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.requests) {
      const i = options.firstIndex + next++;
      const body = target.body(i);
      const answer = await post(target, body);
      if (answer.status !== 200) {
        throw new Error(`${target.name}: request ${i} answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      }
      target.check?.(i, answer.status, answer.body);
      latencies.push(answer.ms);
    }
  };
  const workers = Array.from({ length: Math.min(options.concurrency, options.requests) }, worker);
  await Promise.all(workers);
  return latencies;
}
