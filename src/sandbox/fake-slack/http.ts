import { readBody as readBoundedBody } from '../loopback-http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSON_FIELDS, type Params } from './content';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return readBoundedBody(req, MAX_BODY_BYTES);
}

/**
 * Parameters of a request as Slack reads them: a JSON object, or a form body whose
 * `blocks`/`attachments`/`view`/`metadata` fields are JSON strings; query
 * parameters count too. A JSON-encoded field that does not parse stays a string.
 */
export function parseParams(
  contentType: string | undefined,
  raw: string,
  query: URLSearchParams,
): { params: Params } | { error: 'invalid_json' } {
  const params: Params = Object.fromEntries(query);
  if ((contentType ?? '').toLowerCase().startsWith('application/json')) {
    if (raw.trim() === '') return { params };
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { error: 'invalid_json' };
      return { params: { ...params, ...(parsed as Params) } };
    } catch {
      return { error: 'invalid_json' };
    }
  }
  for (const [key, value] of new URLSearchParams(raw)) params[key] = value;
  for (const key of JSON_FIELDS) {
    const value = params[key];
    if (typeof value !== 'string') continue;
    try {
      params[key] = JSON.parse(value) as unknown;
    } catch {
      // left as a string: the method answers with its "bad format" error
    }
  }
  return { params };
}

/**
 * The bearer token of a request; Slack also takes a `token` field in a form body
 * (never in a JSON one). An Authorization header that is not a bearer token gives ''.
 */
export function tokenOf(
  authorization: string | undefined,
  formToken: string | undefined,
): string | undefined {
  if (authorization !== undefined) return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? '';
  return formToken;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Web API methods take the bot token; an app-level or user token is refused as Slack refuses it. */
export function botTokenProblem(token: string | undefined): string | undefined {
  if (!token) return 'not_authed';
  if (token.startsWith('xapp-')) return 'not_allowed_token_type';
  return token.startsWith('xoxb-') ? undefined : 'invalid_auth';
}

/** apps.connections.open takes only the app-level token, and only in the Authorization header. */
export function appTokenProblem(token: string | undefined): string | undefined {
  if (!token) return 'not_authed';
  if (token.startsWith('xoxb-') || token.startsWith('xoxp-')) return 'not_allowed_token_type';
  return token.startsWith('xapp-') ? undefined : 'invalid_auth';
}
