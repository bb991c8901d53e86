import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { HTTPReceiver } from '@slack/bolt';
import type { Logger } from '../logging/logger';
import { checkSlackSignature } from './request-signature';
import { isSslCheck, judgeRequestBody } from './request-shape';

export interface RequestGuardOptions {
  signingSecret: string;
  /** The paths Bolt serves Slack's POSTs on ('/slack/events'); other requests pass straight through. */
  endpoints: string[];
  logger: Logger;
  /** Larger bodies are answered 413. Slack's largest (a view submission) stays far below 1 MB. */
  maxBodyBytes?: number;
  /** A body that has not arrived by then is answered 408 (Slack gives up after 3 s anyway). */
  bodyTimeoutMs?: number;
  /** Wall clock in milliseconds; tests pass their own. */
  now?: () => number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Past this much we stop reading and close the connection: draining a body
 * answers the client cleanly, but not at any size.
 */
const DRAIN_FACTOR = 8;

/**
 * Our boundary in front of Bolt's HTTPReceiver: every POST to the Slack
 * endpoint is read (up to a size cap), its signature and timestamp checked
 * (both directions of Slack's 5-minute window), and its body checked against
 * what Slack sends; only then does Bolt see it. Anything else is answered here
 * (400, 401, 408 or 413; 200 for an SSL check) with one structured log line
 * that names the reason but never the body, a header value or a secret.
 *
 * Why: Bolt 5.1.0's HTTPReceiver#handleIncomingEvent parses `payload=null` to
 * null and then reads `body.ssl_check` outside any try, in a detached async
 * function — `TypeError: Cannot read properties of null (reading 'ssl_check')`
 * becomes an unhandled rejection and the process exits. An interaction
 * without `user` throws in App#processEvent (buildSource reads `body.user.id`)
 * and is answered 500. Bolt is handed the body we read as `req.rawBody`, which
 * its bufferIncomingMessage takes as already read. Installed with
 * guardHttpReceiver, Bolt does not verify the signature a second time.
 */
export function guardSlackRequests(
  boltListener: RequestListener,
  options: RequestGuardOptions,
): RequestListener {
  const log = options.logger.child({ component: 'request-guard' });
  const maxBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = options.bodyTimeoutMs ?? 10_000;
  const now = options.now ?? Date.now;

  const answer = (res: ServerResponse, status: number, reason: string, details: object = {}) => {
    const line = { status, reason, ...details };
    if (status === 200) log.debug(line, 'slack request answered at the boundary');
    else log.warn(line, 'slack request refused');
    if (res.headersSent) return;
    res.writeHead(status, status === 413 || status === 408 ? { connection: 'close' } : {});
    res.end();
  };

  const judge = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const contentType = req.headers['content-type'];
    const bytes = body.length;
    const signature = checkSlackSignature({
      signingSecret: options.signingSecret,
      timestampHeader: req.headers['x-slack-request-timestamp'],
      signatureHeader: req.headers['x-slack-signature'],
      rawBody: body,
      nowSeconds: Math.floor(now() / 1000),
    });
    if (!signature.ok) {
      // Slack sends its SSL check unsigned. Looked for only here, so that a signed
      // request (every other one) is parsed once; a signed SSL check is answered
      // by judgeRequestBody, the same way.
      if (isSslCheck(contentType, body)) return answer(res, 200, 'ssl check', { bytes });
      return answer(res, 401, signature.reason, { bytes });
    }
    const verdict = judgeRequestBody(contentType, body);
    if (!verdict.forward) return answer(res, verdict.status, verdict.reason, { bytes });
    // Bolt matches the content type exactly; hand it the bare media type with the body already read.
    req.headers['content-type'] = verdict.mediaType;
    Object.assign(req, { rawBody: body });
    log.debug({ kind: verdict.kind, bytes }, 'slack request accepted');
    boltListener(req, res);
  };

  return (req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      return answer(res, 400, 'unparseable request target');
    }
    // The very test HTTPReceiver routes events by (upper-cased method, URL pathname): whatever
    // Bolt would dispatch as an event passes through here first.
    if (req.method?.toUpperCase() !== 'POST' || !options.endpoints.includes(path)) {
      return boltListener(req, res);
    }

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes * DRAIN_FACTOR) {
      answer(res, 413, 'body too large', { bytes: declared });
      return void req.destroy();
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      answer(res, 408, 'body not received in time', { bytes });
      req.destroy();
    }, timeoutMs);
    timer.unref();
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
      else if (bytes > maxBytes * DRAIN_FACTOR) {
        done = true;
        clearTimeout(timer);
        answer(res, 413, 'body too large', { bytes });
        req.destroy();
      }
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      log.warn(
        { reason: 'request stream failed', code: (error as { code?: unknown }).code },
        'slack request refused',
      );
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (bytes > maxBytes) return answer(res, 413, 'body too large', { bytes });
      try {
        judge(req, res, Buffer.concat(chunks));
      } catch (error) {
        // Not expected: every check above is total. Say so loudly, answer, keep serving.
        log.error({ err: error }, 'request guard failed');
        answer(res, 400, 'request could not be judged');
      }
    });
  };
}

/**
 * Puts the guard in front of every request `receiver`'s server takes, and only
 * then turns off Bolt's own signature check, which would compute the same HMAC
 * a second time (Bolt's constant-time compare adds two more) on the way to
 * every ack. The guard's check is the stricter of the two — digits-only
 * timestamp, both directions of the window, the raw bytes signed — so no
 * unsigned request reaches a listener; the two settings are made here
 * together so that one never goes without the other. HTTPReceiver#start
 * serves `receiver.requestListener` (a public property) and reads
 * `signatureVerification` per request; call this before `app.start()`.
 */
export function guardHttpReceiver(receiver: HTTPReceiver, options: RequestGuardOptions): void {
  receiver.requestListener = guardSlackRequests(receiver.requestListener, options);
  // Bolt declares the field private; it is an own property of every instance (see the test).
  (receiver as unknown as { signatureVerification: boolean }).signatureVerification = false;
}
