import assert from 'node:assert/strict';
import { deploymentLog, type AuditRecord } from '../../../src/domain/deployment-log';
import type { Release } from '../../../src/domain/release';
import type { Block } from '../../../src/slack/blocks/block';
import { deploymentLogReply } from '../../../src/slack/blocks/deployment-log';
import { T0, aRelease, allText, assertWithinLimits, done, textOf, withSteps } from './blocks/fixtures';

const ROLLBACK = 'r20261127t190000-beef';
const NOW = T0 + 7_200_000;

function shipped(overrides: Partial<Release> = {}): Release {
  return withSteps(
    aRelease({
      state: 'succeeded',
      startedAt: T0 + 60_000,
      startedBy: 'U0DEPLOYER',
      endedAt: T0 + 1_200_000,
      checklist: { 'unit-tests': { by: 'U0ALICE', at: T0 + 30_000 } },
      override: {
        by: 'U0LEAD',
        reason: 'checkout is down',
        overrode: 'minor releases run Mon–Fri',
        at: T0 + 50_000,
      },
      rolledBackBy: ROLLBACK,
      followUps: [
        { kind: 'summary', afterMs: 3_600_000, at: T0 + 4_800_000, lines: ['Follow-up +1h', '5xx 9.0%'] },
      ],
      review: {
        by: 'U0ALICE',
        at: T0 + 6_000_000,
        wentWell: 'fast rollback',
        couldImprove: 'canary first',
        unexpectedIssues: 'a slow query',
        followUpActions: 'add an index',
      },
      ...overrides,
    }),
    {
      preflight: done(T0, 12, '9 checks passed'),
      backup: { state: 'skipped', reason: 'hotfix: no snapshot' },
      deploy: {
        state: 'failed',
        startedAt: T0 + 100_000,
        finishedAt: T0 + 200_000,
        error: { code: 'x', message: 'circuit breaker' },
      },
    },
  );
}

function rollback(overrides: Partial<Release> = {}): Release {
  return aRelease({
    id: ROLLBACK,
    state: 'succeeded',
    requestedBy: 'deploybot',
    createdAt: T0 + 2_000_000,
    endedAt: T0 + 2_400_000,
    steps: [],
    rollbackOf: {
      releaseId: aRelease().id,
      version: 'v1.2.0',
      requestedBy: 'U0DEPLOYER',
      reason: 'error-rate high',
    },
    proposal: { expects: {}, approvedBy: { by: 'U0APPROVER', at: T0 + 2_100_000 } },
    ...overrides,
  });
}

const sections = (blocks: Block[]) => blocks.filter((b) => b.type === 'section').map((b) => textOf(b.text));
const EMOJI = /\p{Extended_Pictographic}|\u{FE0F}|:[a-z0-9_+-]+:/gu;

describe('deploymentLogReply', () => {
  it('shows the release in full: who, when, steps, issues, rollbacks, follow-ups, review, timeline', () => {
    const message = deploymentLogReply(deploymentLog(shipped(), [rollback()], []), NOW);
    assertWithinLimits(message, 'deployment log');
    const text = allText(message);
    assert.match(text, /^# Deployment log: backend v1\.2\.0 → production/);
    assert.match(
      text,
      /\*Requested\*: <@U0DEPLOYER> <!date\^\d+\^\{date_short\} \{time\}\|2026-11-27 17:13 UTC>/,
    );
    assert.match(text, /\*Type and state\*: minor, rolled back/);
    assert.match(
      text,
      /Break-glass override\* by <@U0LEAD> .* minor releases run Mon–Fri\. Reason: “checkout is down”/,
    );
    assert.match(
      text,
      /✅ succeeded · \*preflight\* <!date\^\d+\^\{time\}\|17:13 UTC>–<!date[^>]+> \(12s\) — 9 checks passed/,
    );
    assert.match(text, /➖ skipped · \*backup\* — hotfix: no snapshot/);
    assert.match(text, /:warning: Issues\*\ndeploy: circuit breaker/);
    assert.match(
      text,
      new RegExp(`rollback \`${ROLLBACK}\`: succeeded, proposed by deploybot, approved by <@U0APPROVER>`),
    );
    assert.match(text, /\*\+1h 00m\* <!date[^>]+>: 5xx 9\.0%/);
    assert.match(text, /\*Could improve:\* canary first/);
    assert.match(text, /<@U0ALICE> — ticked unit-tests/);
    assert.match(text, /deploybot log r20261127t171340-3f9a/);
    assert.match(text, /deploybot export --since 30d --app backend --format csv/);
    assert.match(
      message.text,
      /^Deployment log of backend v1\.2\.0 → production \(r20261127t171340-3f9a\): rolled back$/,
    );
  });

  it('says every step state and list in words, so it reads without an emoji font', () => {
    const message = deploymentLogReply(deploymentLog(shipped(), [rollback()], []), NOW);
    const plain = sections(message.blocks).join('\n').replace(EMOJI, '');
    for (const words of [
      /succeeded · \*preflight\*/,
      /skipped · \*backup\*/,
      /failed · \*deploy\*/,
      /pending · \*verify\*/,
      /Issues/,
      /Rollbacks/,
    ]) {
      assert.match(plain, words);
    }
  });

  it('keeps 1,000 events within Slack limits, counting the ones left out and naming the command with all of them', () => {
    const audit: AuditRecord[] = Array.from({ length: 1000 }, (_, i) => ({
      at: T0 + 10_000 + i * 1000,
      actor: `U0PERSON${i}`,
      action: 'refused.approve',
      detail: `not an approver of backend/production (attempt ${i})`,
    }));
    const log = deploymentLog(shipped(), [rollback()], audit);
    const message = deploymentLogReply(log, NOW);
    assertWithinLimits(message, '1,000 events');
    assert.ok(message.blocks.length <= 49, `${message.blocks.length} blocks`);
    const text = sections(message.blocks).join('\n');
    const shown = text
      .split('\n')
      .filter((l) => /^<!date\^\d+\^\{date_short\} \{time\}\|[^>]+> /.test(l)).length;
    const hidden = Number(/… ([\d,]+) more events not shown/.exec(text)?.[1]?.replace(/,/g, ''));
    assert.ok(shown > 100, `only ${shown} events shown`);
    assert.equal(shown + hidden, log.events.length);
    assert.equal(
      textOf((message.blocks.at(-1)?.elements as Block[])[0]).includes('deploybot export --since 30d'),
      true,
    );
  });

  it('stays within limits whatever people typed: long answers, reasons, names, a thousand rollbacks', () => {
    const long = (s: string) => `${s} `.repeat(2000);
    const release = shipped({
      app: 'a'.repeat(300),
      version: `v1.2.0-${'x'.repeat(200)}`,
      environment: 'e'.repeat(300),
      override: { by: 'U0LEAD', reason: long('<!channel> fire'), overrode: long('rule'), at: T0 },
      queue: { queuedAt: T0, queuedBy: 'cli:alice', why: long('behind') },
      review: {
        by: 'U0ALICE',
        at: T0,
        wentWell: long('😀 well'),
        couldImprove: long('<b>&'),
        unexpectedIssues: long('issue'),
        followUpActions: long('act'),
      },
      followUps: Array.from({ length: 10 }, (_, i) => ({
        kind: 'summary',
        afterMs: i * 1000,
        at: T0 + i,
        lines: ['x', long('y')],
      })),
      failure: { code: 'x', message: long('boom'), step: 'deploy' },
    });
    const rollbacks = Array.from({ length: 1000 }, (_, i) =>
      rollback({
        id: `r-${i}`,
        createdAt: T0 + i,
        rollbackOf: { releaseId: release.id, version: 'v1', requestedBy: 'U1', reason: long('why') },
      }),
    );
    const message = deploymentLogReply(deploymentLog(release, rollbacks, []), NOW);
    assertWithinLimits(message, 'long texts');
    const text = allText(message);
    assert.ok(!text.includes('<!channel>'), 'typed text cannot notify the channel');
    assert.match(text, /… [\d,]+ more rollbacks not shown/);
    assert.ok(message.text.length <= 500);
  });
});
