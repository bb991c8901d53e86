import { parse as parseQuery } from 'node:querystring';
import { eventCallbackProblem, interactionProblem, isRecord, slashCommandProblem } from './payload-shape';

/** The two media types Slack posts; Bolt compares the header to them exactly, so we pass on the bare one. */
export type SlackMediaType = 'application/x-www-form-urlencoded' | 'application/json';

/**
 * What to do with a signed body: hand it to Bolt, or answer it ourselves —
 * 400 for a body Slack could never send, 200 for one Slack sends but expects
 * nothing for (an SSL check, an app_rate_limited notice).
 */
export type BodyVerdict =
  | { forward: true; mediaType: SlackMediaType; kind: string }
  | { forward: false; status: 200 | 400; reason: string };

/**
 * Deeper than any payload Slack sends (rich-text blocks inside a message inside
 * an interaction reach about a dozen levels); deeper JSON is refused before
 * anything walks it recursively.
 */
export const MAX_JSON_DEPTH = 48;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** An SSL check needs no signature (Slack sends it unsigned): `ssl_check=1` in a form body. */
export function isSslCheck(contentTypeHeader: string | undefined, rawBody: Buffer): boolean {
  return (
    mediaTypeOf(contentTypeHeader) === 'application/x-www-form-urlencoded' &&
    parseQuery(rawBody.toString('latin1')).ssl_check === '1'
  );
}

export function judgeRequestBody(contentTypeHeader: string | undefined, rawBody: Buffer): BodyVerdict {
  const mediaType = mediaTypeOf(contentTypeHeader);
  if (!mediaType) return refuse('unknown content type');
  let text: string;
  try {
    text = strictUtf8.decode(rawBody);
  } catch {
    return refuse('body is not UTF-8');
  }
  return mediaType === 'application/json' ? judgeJson(text) : judgeForm(text);
}

function judgeForm(text: string): BodyVerdict {
  const fields = parseQuery(text);
  if (fields.ssl_check === '1') return { forward: false, status: 200, reason: 'ssl check' };
  if ('payload' in fields) {
    if (Object.keys(fields).length !== 1 || typeof fields.payload !== 'string') {
      return refuse('interaction form has fields besides one payload');
    }
    const payload = parseJson(fields.payload);
    if ('problem' in payload) return refuse(`payload ${payload.problem}`);
    const problem = interactionProblem(payload.value);
    if (problem) return refuse(problem);
    return forward('application/x-www-form-urlencoded', String((payload.value as { type: string }).type));
  }
  if ('command' in fields) {
    const problem = slashCommandProblem(fields);
    return problem ? refuse(problem) : forward('application/x-www-form-urlencoded', 'slash_command');
  }
  return refuse('form is neither a slash command nor an interaction');
}

function judgeJson(text: string): BodyVerdict {
  const body = parseJson(text);
  if ('problem' in body) return refuse(`body ${body.problem}`);
  if (!isRecord(body.value)) return refuse('body is not an object');
  const type = body.value.type;
  switch (type) {
    case 'url_verification':
      return typeof body.value.challenge === 'string' && body.value.challenge.length <= 1024
        ? forward('application/json', type)
        : refuse('url_verification without a challenge');
    case 'event_callback': {
      const problem = eventCallbackProblem(body.value);
      return problem ? refuse(problem) : forward('application/json', type);
    }
    case 'app_rate_limited':
      // Slack tells us it dropped events; there is nothing to do but acknowledge.
      return { forward: false, status: 200, reason: 'app_rate_limited notice' };
    default:
      return refuse('event body type is missing or unknown');
  }
}

function parseJson(text: string): { value: unknown } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'is not JSON' };
  }
  return depthOf(value) > MAX_JSON_DEPTH ? { problem: 'is nested too deeply' } : { value };
}

/** Nesting depth of parsed JSON, walked with an explicit stack so no input can overflow ours. */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(item)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

function mediaTypeOf(header: string | undefined): SlackMediaType | undefined {
  const bare = header?.split(';')[0]?.trim().toLowerCase();
  return bare === 'application/json' || bare === 'application/x-www-form-urlencoded' ? bare : undefined;
}

function forward(mediaType: SlackMediaType, kind: string): BodyVerdict {
  return { forward: true, mediaType, kind };
}

function refuse(reason: string): BodyVerdict {
  return { forward: false, status: 400, reason };
}
