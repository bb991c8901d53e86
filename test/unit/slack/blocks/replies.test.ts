import assert from 'node:assert/strict';
import {
  errorReply,
  helpReply,
  historyReply,
  noticeReply,
  planReply,
  refusedReply,
  statusReply,
  usageReply,
} from '../../../../src/slack/blocks/replies';
import { T0, aRelease, allText, assertWithinLimits, done, textOf, withSteps } from './fixtures';

const USAGE = '/deploy <version> [app] [environment] [--type hotfix|minor|major]\n/deploy status';

describe('command replies', () => {
  it('says what was wrong before the usage', () => {
    const out = usageReply('unknown app `shop<1>`', USAGE);
    assert.equal(textOf(out.blocks[0]?.text), ':warning: unknown app `shop&lt;1&gt;`');
    assert.equal(
      textOf(out.blocks[1]?.text),
      '```\n/deploy &lt;version&gt; [app] [environment] [--type hotfix|minor|major]\n/deploy status\n```',
    );
    assert.equal(usageReply(undefined, USAGE).blocks.length, 1);
    assertWithinLimits(out);
  });

  it('shows help as the usage in a code block', () => {
    const out = helpReply(USAGE);
    assert.match(allText(out), /```\n\/deploy &lt;version&gt;/);
  });

  it('escapes error messages', () => {
    assert.equal(
      textOf(errorReply('bad <!here> & worse').blocks[0]?.text),
      ':x: bad &lt;!here&gt; &amp; worse',
    );
  });

  it('shows a dry run in monospace', () => {
    const out = planReply(
      'plan for v1.2.0 of backend to production (minor); nothing is changed\n  preflight',
    );
    assert.equal(
      textOf(out.blocks[0]?.text),
      '```\nplan for v1.2.0 of backend to production (minor); nothing is changed\n  preflight\n```',
    );
    assert.equal(out.text, 'plan for v1.2.0 of backend to production (minor); nothing is changed');
  });

  it('lists releases in flight, one line each with the current step', () => {
    const running = withSteps(aRelease({ state: 'running', startedAt: T0 }), {
      preflight: done(T0, 10, 'ok'),
      backup: { state: 'waiting', startedAt: T0 + 10_000, progress: { note: 'snapshot 40%' } },
    });
    const waiting = aRelease({ id: 'r2', app: 'shop', environment: 'staging', version: 'v2.0.0' });
    const out = statusReply({ releases: [running, waiting], related: {}, locks: [], now: T0 + 70_000 });
    assert.equal(
      allText(out),
      [
        '*2 releases in flight*',
        '⏳ running: backup waiting 1m 00s — snapshot 40% · *backend* `v1.2.0` → *production* · `r20261127t171340-3f9a`',
        '📋 awaiting start · *shop* `v2.0.0` → *staging* · `r2`',
      ].join('\n'),
    );
    assert.equal(
      allText(statusReply({ releases: [], related: {}, locks: [], now: T0 })),
      'No releases in flight.',
    );
  });

  it('lists an app history', () => {
    const out = historyReply('backend', [
      aRelease({ state: 'succeeded', startedAt: T0, endedAt: T0 + 252_000 }),
      aRelease({ id: 'r1', state: 'cancelled', environment: 'staging' }),
    ]);
    assert.equal(
      allText(out),
      [
        '*Release history of backend*',
        '✅ <!date^1795799620^{date_short} {time}|2026-11-27 17:13 UTC> · *production* · `v1.2.0` · minor · `r20261127t171340-3f9a` · succeeded in 4m 12s',
        '🚫 <!date^1795799620^{date_short} {time}|2026-11-27 17:13 UTC> · *staging* · `v1.2.0` · minor · `r1` · cancelled',
      ].join('\n'),
    );
    assert.equal(allText(historyReply('<x>', [])), 'No releases of *&lt;x&gt;* yet.');
  });

  it('names the rule when refusing, keeping its mentions', () => {
    const out = refusedReply('only <!subteam^S0OPS>, <@U0ALICE> may deploy to production <!channel>');
    assert.equal(
      textOf(out.blocks[0]?.text),
      ":no_entry: You can't do that: only <!subteam^S0OPS>, <@U0ALICE> may deploy to production &lt;!channel&gt;",
    );
  });

  it('gives the command that would help, as code', () => {
    const out = refusedReply(
      'backend/production is locked by <@U0ALICE>: rolled back v1.3.0-bad',
      '/deploy unlock backend production',
    );
    assert.equal(
      textOf(out.blocks[0]?.text),
      ":no_entry: You can't do that: backend/production is locked by <@U0ALICE>: rolled back v1.3.0-bad\nTry `/deploy unlock backend production`",
    );
    assert.equal(
      out.text,
      "You can't do that: backend/production is locked by <@U0ALICE>: rolled back v1.3.0-bad. Try /deploy unlock backend production",
    );
    assert.ok(refusedReply(`${'x'.repeat(5000)}`, '/deploy status').text.endsWith('. Try /deploy status'));
  });

  it('wraps a notice', () => {
    const out = noticeReply('backend/production is locked by <@U0ALICE> & <others>');
    assert.equal(
      textOf(out.blocks[0]?.text),
      'backend/production is locked by <@U0ALICE> &amp; &lt;others&gt;',
    );
  });
});
