import assert from 'node:assert/strict';
import { checkSlackSignature } from '../../../src/slack/request-signature';
import { signSlackRequest } from '../../support/slack-requests';

const SECRET = ['sig', 'test', 'secret'].join('-');
const NOW = 1_764_262_000;
const BODY = 'command=%2Fdeploy&text=help';

function check(timestamp: number, options: { body?: string; secret?: string; now?: number } = {}) {
  const headers = signSlackRequest(options.secret ?? SECRET, BODY, timestamp);
  return checkSlackSignature({
    signingSecret: SECRET,
    timestampHeader: headers['x-slack-request-timestamp'],
    signatureHeader: headers['x-slack-signature'],
    rawBody: Buffer.from(options.body ?? BODY),
    nowSeconds: options.now ?? NOW,
  });
}

describe("checkSlackSignature (Slack's v0 signature, both directions of the window)", () => {
  it('accepts a body signed now, or up to 5 minutes either side', () => {
    assert.deepEqual(check(NOW), { ok: true });
    assert.deepEqual(check(NOW - 300), { ok: true });
    assert.deepEqual(check(NOW + 300), { ok: true });
  });

  it('refuses a timestamp more than 5 minutes in the future (Bolt accepts these)', () => {
    assert.deepEqual(check(NOW + 301), { ok: false, reason: 'timestamp more than 5 minutes in the future' });
    assert.deepEqual(check(NOW + 6 * 60), {
      ok: false,
      reason: 'timestamp more than 5 minutes in the future',
    });
  });

  it('refuses a timestamp more than 5 minutes old', () => {
    assert.deepEqual(check(NOW - 301), { ok: false, reason: 'timestamp more than 5 minutes old' });
  });

  it('refuses another secret and a changed body', () => {
    assert.deepEqual(check(NOW, { secret: 'other' }), { ok: false, reason: 'signature mismatch' });
    assert.deepEqual(check(NOW, { body: `${BODY}x` }), { ok: false, reason: 'signature mismatch' });
  });

  it('refuses malformed or repeated headers before computing anything', () => {
    const base = { signingSecret: SECRET, rawBody: Buffer.from(BODY), nowSeconds: NOW };
    const good = signSlackRequest(SECRET, BODY, NOW);
    for (const timestampHeader of [
      undefined,
      '',
      'abc',
      '1.5',
      '-1',
      `0${NOW}`,
      [String(NOW), String(NOW)],
    ]) {
      const result = checkSlackSignature({
        ...base,
        timestampHeader,
        signatureHeader: good['x-slack-signature'],
      });
      assert.equal(result.ok, false, `timestamp ${String(timestampHeader)}`);
    }
    for (const signatureHeader of [
      undefined,
      '',
      'v1=abc',
      'v0=',
      `v0=${'z'.repeat(64)}`,
      `${good['x-slack-signature']}0`,
    ]) {
      const result = checkSlackSignature({ ...base, timestampHeader: String(NOW), signatureHeader });
      assert.deepEqual(result, { ok: false, reason: 'missing or malformed x-slack-signature' });
    }
  });
});
