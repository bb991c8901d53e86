import assert from 'node:assert/strict';
import type { DeliveryFigures } from '../../../../src/domain/dora/figures';
import type { StatsAnswer } from '../../../../src/engine/delivery-stats';
import { blockKitProblems } from '../../../../src/slack/blocks/limits';
import { span, statsReply } from '../../../../src/slack/blocks/stats-reply';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-01T09:00:00Z');

function figures(overrides: Partial<DeliveryFigures> = {}): DeliveryFigures {
  return {
    period: { from: NOW - 30 * DAY, to: NOW },
    changes: 12,
    deploymentFrequency: { deployments: 9, perDay: 0.3, scopes: 1 },
    leadTime: { medianMs: 6 * HOUR, measured: 3, withoutChangeTime: 1 },
    changeFailureRate: { rate: 0.5, failed: 4, decided: 8, undecided: 1 },
    timeToRestore: { medianMs: 90 * MINUTE, restored: 3, notRestored: 1 },
    excluded: { failedBeforeDeploy: 1, stoppedBeforeDeploy: 1, notDeployedYet: 1, rollbacks: 3 },
    overrides: { changes: 2, deployments: 2, failed: 1 },
    ...overrides,
  };
}

function answer(overrides: Partial<StatsAnswer> = {}): StatsAnswer {
  return {
    query: { app: 'backend', environment: 'production', days: 30 },
    scopes: [{ app: 'backend', environment: 'production' }],
    current: figures(),
    previous: figures({
      period: { from: NOW - 60 * DAY, to: NOW - 30 * DAY },
      deploymentFrequency: { deployments: 6, perDay: 0.2, scopes: 1 },
      leadTime: { medianMs: 6 * HOUR, measured: 5, withoutChangeTime: 0 },
      changeFailureRate: { rate: 0.25, failed: 1, decided: 4, undecided: 0 },
      timeToRestore: { medianMs: 3 * HOUR, restored: 1, notRestored: 0 },
    }),
    byApp: [],
    ...overrides,
  };
}

const EMOJI = /\p{Extended_Pictographic}|\u{FE0F}|\u{200D}|\u{20E3}/gu;

function texts(blocks: unknown[]): string[] {
  return blocks.flatMap((b) => {
    const block = b as { text?: { text: string }; elements?: { text: string }[] };
    return [block.text?.text ?? '', ...(block.elements ?? []).map((e) => e.text)].filter((t) => t !== '');
  });
}

describe('stats reply', () => {
  it('gives each figure its value, DORA band and trend against the period before, in words', () => {
    const reply = statsReply(answer(), NOW);
    const [title, frequency, lead, failure, restore] = texts(reply.blocks);

    assert.equal(title, 'Delivery figures: backend in production, last 30 days');
    assert.match(
      frequency ?? '',
      /^\*Deployment frequency:\* 2\.1\/week \(9 deployments\) — DORA band \*High\* — ↑ up from 1\.4\/week \(better\)/,
    );
    assert.match(
      lead ?? '',
      /^\*Lead time for changes:\* 6h 00m — DORA band \*Elite\* — → about the same as before \(6h 00m\)/,
    );
    assert.match(
      failure ?? '',
      /^\*Change failure rate:\* 50% — DORA band \*Low\* — ↑ up from 25% \(worse\)/,
    );
    assert.match(
      restore ?? '',
      /^\*Time to restore:\* 1h 30m — DORA band \*High\* — ↓ down from 3h 00m \(better\)/,
    );
  });

  it('says under each figure what it left out', () => {
    const [, frequency, lead, failure, restore, counts] = texts(statsReply(answer(), NOW).blocks);

    assert.doesNotMatch(frequency ?? '', /\n/);
    assert.match(
      lead ?? '',
      /median of 3 changes that succeeded and stayed.*1 release without a known change time, not counted/,
    );
    assert.match(
      failure ?? '',
      /4 of 8 deployments rolled back or failed after deploy; 1 deployment still running, not counted/,
    );
    assert.match(restore ?? '', /median of 3 failures.*; 1 failure not restored yet, not counted/);
    assert.match(
      counts ?? '',
      /Overrides: 2 break-glass releases \(2 deployed, 1 failed\), counted in every figure above\./,
    );
  });

  it('lists the changes that were no deployments, and rollbacks as remedies', () => {
    const all = texts(statsReply(answer(), NOW).blocks).join('\n');

    assert.match(
      all,
      /12 changes requested\. Not deployments: 1 failed before deploy, 1 cancelled before deploy, 1 not deployed yet\. 3 rollbacks counted as remedies, not changes\./,
    );
  });

  it('says there is nothing to measure instead of a band when a figure has no data', () => {
    const empty = figures({
      changes: 1,
      deploymentFrequency: { deployments: 0, perDay: 0, scopes: 1 },
      leadTime: { measured: 0, withoutChangeTime: 0 },
      changeFailureRate: { failed: 0, decided: 0, undecided: 0 },
      timeToRestore: { restored: 0, notRestored: 0 },
      overrides: { changes: 0, deployments: 0, failed: 0 },
    });
    const all = texts(statsReply(answer({ current: empty, previous: empty }), NOW).blocks).join('\n');

    assert.match(
      all,
      /\*Deployment frequency:\* 0\.0\/month \(0 deployments\) — DORA band \*Low\* — → about the same as before/,
    );
    assert.match(all, /\*Lead time for changes:\* nothing to measure\n/);
    assert.match(all, /\*Change failure rate:\* no finished deployments\n/);
    assert.match(all, /\*Time to restore:\* no failures to restore\n/);
    assert.match(all, /Overrides: none/);
    assert.match(all, /1 change requested\. Not deployments:/);
    const nothing = figures({
      ...empty,
      changes: 0,
      excluded: { failedBeforeDeploy: 0, stoppedBeforeDeploy: 0, notDeployedYet: 0, rollbacks: 0 },
    });
    assert.match(
      texts(statsReply(answer({ current: nothing, previous: nothing }), NOW).blocks).join('\n'),
      /No changes requested\./,
    );
  });

  it('still says every trend and band in words with the emoji taken out', () => {
    const all = texts(statsReply(answer(), NOW).blocks).join('\n').replace(EMOJI, '');

    for (const words of [
      'up from 1.4/week (better)',
      'about the same as before',
      'up from 25% (worse)',
      'down from 3h 00m (better)',
      'band *High*',
      'band *Low*',
    ]) {
      assert.ok(all.includes(words), words);
    }
  });

  it('fits 50 apps with long names within Slack’s limits, one line each', () => {
    const apps = Array.from({ length: 50 }, (_, i) => `app-${String(i).padStart(2, '0')}-${'x'.repeat(70)}`);
    const reply = statsReply(
      answer({
        query: { days: 365 },
        scopes: apps.flatMap((app) => [
          { app, environment: 'staging' },
          { app, environment: 'production' },
        ]),
        byApp: apps.map((app) => ({
          app,
          figures: figures({ deploymentFrequency: { deployments: 480, perDay: 0.66, scopes: 2 } }),
        })),
      }),
      NOW,
    );

    assert.deepEqual(blockKitProblems(reply.blocks, reply.text), []);
    const all = texts(reply.blocks).join('\n');
    assert.equal(
      all.match(
        /^\*app-\d\d-x+…?\*: 480 deployments, 4\.6\/week, 50% failed, lead 6h 00m, restore 1h 30m, 2 overrides$/gm,
      )?.length,
      50,
    );
    assert.match(
      texts(reply.blocks)[0] ?? '',
      /^Delivery figures: all 50 apps in every environment, last 365 days$/,
    );
  });

  it('writes spans in minutes, hours and days', () => {
    assert.equal(span(59 * MINUTE + 50_000), '1h 00m');
    assert.equal(span(42 * MINUTE), '42m');
    assert.equal(span(5 * HOUR + 10 * MINUTE), '5h 10m');
    assert.equal(span(2.1 * DAY), '2.1 days');
  });
});
