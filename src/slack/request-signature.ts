import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: a request signed further from now than this, either way, is refused. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` with
 * the signing secret, compared in constant time. Unlike Bolt's own check (which
 * refuses only timestamps more than five minutes in the past), a timestamp more
 * than five minutes in the future is refused too: a signature made for later is
 * a replay waiting to happen. The timestamp must be plain decimal digits, as
 * Slack writes it, so that the signed text is exactly what Bolt re-checks.
 */
export function checkSlackSignature(input: {
  signingSecret: string;
  timestampHeader: string | string[] | undefined;
  signatureHeader: string | string[] | undefined;
  rawBody: Buffer;
  nowSeconds: number;
}): SignatureCheck {
  const { timestampHeader, signatureHeader } = input;
  if (typeof timestampHeader !== 'string' || !/^[1-9]\d{0,11}$/.test(timestampHeader)) {
    return { ok: false, reason: 'missing or malformed x-slack-request-timestamp' };
  }
  if (typeof signatureHeader !== 'string' || !/^v0=[0-9a-f]{64}$/.test(signatureHeader)) {
    return { ok: false, reason: 'missing or malformed x-slack-signature' };
  }
  const skew = Number(timestampHeader) - input.nowSeconds;
  if (skew < -SIGNATURE_WINDOW_SECONDS) return { ok: false, reason: 'timestamp more than 5 minutes old' };
  if (skew > SIGNATURE_WINDOW_SECONDS) {
    return { ok: false, reason: 'timestamp more than 5 minutes in the future' };
  }
  const expected = createHmac('sha256', input.signingSecret)
    .update(`v0:${timestampHeader}:`)
    .update(input.rawBody)
    .digest();
  const given = Buffer.from(signatureHeader.slice('v0='.length), 'hex');
  if (!timingSafeEqual(expected, given)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
