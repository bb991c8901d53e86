import assert from 'node:assert/strict';
import type { Release } from '../../../../src/domain/release';
import { appLockedMessage } from '../../../../src/slack/blocks/lock-message';
import { releaseMessage } from '../../../../src/slack/blocks/release-message';
import { statusReply } from '../../../../src/slack/blocks/replies';
import { rollbackMessage } from '../../../../src/slack/blocks/rollback-message';
import { releaseFinishedMessage, stepDetailMessage } from '../../../../src/slack/blocks/thread-messages';
import { T0, aRelease, allText, assertWithinLimits, statuses, withSteps } from './fixtures';
import {
  APPROVED,
  BAD_ID,
  CLOSINGS,
  ROLLBACK_ID,
  STARTED,
  approved,
  badRelease,
  closedProposal,
  databaseRollback,
  failedRollback,
  proposedFor,
  revertedRelease,
  runningRollback,
  serviceRollback,
  succeededRollback,
} from './incident';

const NOW = APPROVED + 120_000;
const message = (release: Release, rollback?: Release) =>
  releaseMessage({ release, checklist: statuses(), now: NOW, ...(rollback ? { rollback } : {}) });
const proposal = (release: Release) =>
  rollbackMessage({
    release,
    approvers: ['S0SRE'],
    now: NOW,
    rollbackCommand: 'alembic downgrade -1',
    liveDatabase: 'social-analytics-db',
  });
const stateField = (text: string) => /\*State\*: ([^|\n]+)/.exec(text)?.[1]?.trim();

describe('what each release state says, in the message and its notification', () => {
  it('awaiting start: the checklist count', () => {
    const out = message(aRelease());
    assert.equal(stateField(allText(out)), '📋 awaiting start');
    assert.equal(out.text, 'backend v1.2.0 → production: awaiting start (checklist 4/6 required ticked)');
  });

  it('running: the monitor line as the engine last wrote it, in message and notification', () => {
    const out = message(badRelease());
    assert.equal(stateField(allText(out)), '⏳ running');
    assert.match(allText(out), /^⏳ running · \*monitor\* 7m 28s — watching: 12\/24 samples, all clear$/m);
    assert.equal(
      out.text,
      'backend v1.3.0-bad → production: running: monitor running 7m 28s — watching: 12/24 samples, all clear',
    );
    assert.doesNotMatch(allText(out), /Rollback proposed/);
  });

  it('running with a rollback proposed: never "all clear" alone', () => {
    const out = message(proposedFor());
    const text = allText(out);
    assert.match(
      text,
      /^:rotating_light: Rollback proposed \(r20261127t180000-beef\) — an approver decides in the thread$/m,
    );
    assert.ok(text.indexOf('all clear') < text.indexOf('Rollback proposed'), 'said right below the steps');
    assert.match(out.text, /all clear; rollback proposed$/);
  });

  it('with its proposal read: awaiting approval and why, even after the window ended', () => {
    const open = serviceRollback();
    const running = allText(message(proposedFor(), open));
    assert.match(
      running,
      /^:rotating_light: Rollback proposed, awaiting approval: .*5xx rate 8\.0% &gt; 5\.0%.* — an approver decides in the thread$/m,
    );
    // The window ended with the rule still firing: "Released", and the open proposal still said.
    const done = allText(message({ ...proposedFor(), state: 'succeeded', endedAt: NOW }, open));
    assert.match(done, /Released in/);
    assert.match(done, /Rollback proposed, awaiting approval/);
  });

  it('with its proposal closed: says how it was closed, not "proposed"', () => {
    const withdrawn = closedProposal(
      'withdrawn',
      'withdrawn: the release stayed healthy until its 15m window ended; nothing to roll back',
    );
    const text = allText(message({ ...proposedFor(), state: 'succeeded', endedAt: NOW }, withdrawn));
    assert.match(text, /^:information_source: Rollback proposal withdrawn: the release stayed healthy/m);
    assert.doesNotMatch(text, /Rollback proposed/);
  });

  it('a step its release ended under reads "stopped", the steps after it "not run"', () => {
    const release = {
      ...badRelease(),
      state: 'cancelled' as const,
      endedAt: NOW,
      steps: badRelease().steps.map((s) =>
        s.name === 'monitor' ? { ...s, state: 'waiting' as const } : s.name === 'verify' ? s : s,
      ),
    };
    const text = allText(message(release));
    assert.match(text, /^⏹️ stopped · \*monitor\*/m);
    assert.doesNotMatch(text, /waiting · \*monitor\*/);
  });

  it('succeeded: how long it took', () => {
    const release = {
      ...badRelease(),
      version: 'v1.2.0',
      state: 'succeeded' as const,
      endedAt: STARTED + 252_000,
    };
    const out = message(release);
    assert.equal(stateField(allText(out)), '✅ succeeded');
    assert.match(allText(out), /^✅ Released in 4m 12s$/m);
    assert.equal(out.text, 'backend v1.2.0 → production: succeeded in 4m 12s');
  });

  it('failed at preflight: the error in words, once, and no internal code anywhere', () => {
    const error = { code: 'preflight_failed', message: 'image v1.2.0 not found in ECR repository backend' };
    const release = withSteps(
      aRelease({ state: 'failed', endedAt: T0 + 20_000, failure: { ...error, step: 'preflight' } }),
      { preflight: { state: 'failed', startedAt: T0, finishedAt: T0 + 20_000, runs: 1, error } },
    );
    const out = message(release);
    const text = allText(out);
    assert.equal(stateField(text), '❌ failed');
    assert.match(
      text,
      /^❌ failed · \*preflight\* 20s — image v1\.2\.0 not found in ECR repository backend$/m,
    );
    assert.match(text, /^❌ Failed at \*preflight\*$/m);
    assert.equal(text.split('not found in ECR').length - 1, 1, 'the error appears once');
    assert.equal(
      out.text,
      'backend v1.2.0 → production: failed at preflight — image v1.2.0 not found in ECR repository backend',
    );
    for (const said of [text, out.text]) assert.doesNotMatch(said, /preflight_failed/);
  });

  it('cancelled: by whom', () => {
    const out = message(aRelease({ state: 'cancelled', cancelledBy: 'U0CAROL', endedAt: T0 }));
    assert.equal(stateField(allText(out)), '🚫 cancelled');
    assert.equal(out.text, 'backend v1.2.0 → production: cancelled by <@U0CAROL>');
  });

  it('reverted, its rollback approved but its deploy still to come: rolling back, not rolled back', () => {
    const pending = serviceRollback({ proposal: { expects: {}, approvedBy: approved } });
    for (const rollback of [pending, runningRollback()]) {
      const out = message(revertedRelease(), rollback);
      assert.equal(stateField(allText(out)), '⏪ rolling back');
      assert.match(
        allText(out),
        /^⏪ Rolling back: rollback r20261127t180000-beef approved by <@U0APPROVER>/m,
      );
      assert.match(
        out.text,
        /^backend v1\.3\.0-bad → production: rolling back \(rollback r20261127t180000-beef approved by <@U0APPROVER>/,
      );
      assert.doesNotMatch(`${allText(out)}\n${out.text}`, /rolled back/i);
    }
  });

  it('reverted, its rollback finished: rolled back, and what it is back on', () => {
    const out = message(revertedRelease(), succeededRollback());
    assert.equal(stateField(allText(out)), '↩️ rolled back');
    assert.equal(
      out.text,
      'backend v1.3.0-bad → production: rolled back (rollback r20261127t180000-beef finished in 1m 07s: backend-service back on social-analytics-backend:8)',
    );
  });

  it('reverted, its rollback failed: rollback failed, with the rollback’s error', () => {
    const out = message(revertedRelease(), failedRollback());
    assert.equal(stateField(allText(out)), '⚠️ rollback failed');
    assert.equal(
      out.text,
      'backend v1.3.0-bad → production: rollback failed (rollback r20261127t180000-beef failed at deploy — backend-service did not become steady)',
    );
  });

  it('reverted, without its rollback at hand: rolling back, since nothing proves it ended', () => {
    const out = message(revertedRelease());
    assert.equal(stateField(allText(out)), '⏪ rolling back');
    assertWithinLimits(out);
  });
});

describe('what each rollback stage says', () => {
  const stages: [string, Release, string, RegExp][] = [
    [
      'proposed',
      serviceRollback(),
      'Rollback of backend v1.3.0-bad → production: awaiting approval',
      /State:\* 🗳️ awaiting approval · rollback `r20261127t180000-beef`/,
    ],
    [
      'restore confirmed once',
      databaseRollback({ action: 'restore', restoreInto: 'db-copy', confirmedBy: approved }),
      'Snapshot restore of backend v1.3.0-bad → production: awaiting second confirmation (first by <@U0APPROVER>)',
      /State:\* 🗳️ awaiting second confirmation/,
    ],
    [
      'approved, starting',
      serviceRollback({ proposal: { expects: {}, approvedBy: approved } }),
      'Rollback of backend v1.3.0-bad → production: approved by <@U0APPROVER>, starting',
      /✅ Approved by <@U0APPROVER> at <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>; starting…/,
    ],
    [
      'running',
      runningRollback(),
      'Rollback of backend v1.3.0-bad → production: running (approved by <@U0APPROVER>): deploy waiting 2m 00s — backend-service: 1/2 tasks on social-analytics-backend:8',
      /^⏳ waiting · \*deploy\* 2m 00s — backend-service: 1\/2 tasks on social-analytics-backend:8$/m,
    ],
    [
      'succeeded',
      succeededRollback(),
      'Rollback of backend v1.3.0-bad → production: finished in 1m 07s: backend-service back on social-analytics-backend:8',
      /^✅ Finished in 1m 07s: backend-service back on social-analytics-backend:8$/m,
    ],
    [
      'failed',
      failedRollback(),
      'Rollback of backend v1.3.0-bad → production: failed at deploy — backend-service did not become steady',
      /^❌ Failed at \*deploy\*$/m,
    ],
    [
      'declined',
      serviceRollback({ state: 'cancelled', cancelledBy: 'U0APPROVER', endedAt: APPROVED }),
      'Rollback of backend v1.3.0-bad → production: declined by <@U0APPROVER>',
      /🛑 Kept running: rejected by <@U0APPROVER>/,
    ],
    ...CLOSINGS.map(([how, text]): [string, Release, string, RegExp] => [
      how,
      closedProposal(how, text),
      `Rollback of backend v1.3.0-bad → production: ${text}`,
      new RegExp(`State:\\* \\S+ ${how}`),
    ]),
  ];

  for (const [stage, release, text, line] of stages) {
    it(`${stage}: ${text}`, () => {
      const out = proposal(release);
      assert.equal(out.text, text);
      assert.match(allText(out), line);
      assert.doesNotMatch(out.text, /succeeded/, 'a rollback never reads as the reverted version succeeding');
      assertWithinLimits(out);
    });
  }

  it('a migration rollback runs a task definition, not an "image"', () => {
    const text = allText(proposal(databaseRollback({ action: 'downgrade' })));
    assert.match(text, /one-off task of v1\.3\.0-bad's task definition `social-analytics-backend:9`/);
    assert.doesNotMatch(text, /image/);
  });
});

describe('the thread: whose post it is and what finished how', () => {
  it('labels a rollback’s step posts as the rollback’s', () => {
    const out = stepDetailMessage(runningRollback(), 'deploy', ['backend-service: 1/2 tasks']);
    assert.equal(out.text, `Rollback ${ROLLBACK_ID} · deploy: backend-service: 1/2 tasks`);
    assert.match(allText(out), /^⏳ waiting · \*Rollback r20261127t180000-beef · deploy: backend-service/);
  });

  it('labels a migration rollback’s and a restore’s posts with what they undo', () => {
    const down = stepDetailMessage(databaseRollback({ action: 'downgrade' }), 'migrate_down', ['exited 0']);
    assert.equal(down.text, 'Migration rollback of v1.3.0-bad · migrate_down: exited 0');
    const restore = stepDetailMessage(databaseRollback({ action: 'restore' }), 'restore', ['copying']);
    assert.equal(restore.text, 'Snapshot restore of v1.3.0-bad · restore: copying');
  });

  it('leaves a release’s own posts unlabelled', () => {
    assert.equal(stepDetailMessage(badRelease(), 'monitor', ['sample 12/24']).text, 'monitor: sample 12/24');
  });

  it('the reverted release’s closing post says rolling back while its rollback runs, then how it ended', () => {
    const during = releaseFinishedMessage(revertedRelease(), APPROVED, runningRollback());
    assert.match(
      allText(during).split('\n')[0] ?? '',
      /^⏪ \*backend\* `v1\.3\.0-bad` → \*production\*: rolling back/,
    );
    assert.match(during.text, /: rolling back \(rollback r20261127t180000-beef approved by <@U0APPROVER>/);
    const after = releaseFinishedMessage(revertedRelease(), NOW, succeededRollback());
    assert.match(after.text, /: rolled back \(rollback r20261127t180000-beef finished in 1m 07s/);
  });

  it('the rollback’s closing post names what finished and what the service is back on, never "succeeded"', () => {
    const out = releaseFinishedMessage(succeededRollback(), NOW, revertedRelease());
    assert.equal(
      allText(out).split('\n')[0],
      '✅ Rollback of *backend* `v1.3.0-bad` → *production* finished in 1m 07s: backend-service back on social-analytics-backend:8',
    );
    assert.equal(
      out.text,
      'Rollback of backend v1.3.0-bad → production: finished in 1m 07s: backend-service back on social-analytics-backend:8',
    );
    assert.match(
      allText(out),
      /Proposed by deploybot · approved by <@U0APPROVER> · rollback `r20261127t180000-beef`/,
    );
  });
});

describe('locks', () => {
  const lock = {
    app: 'backend',
    environment: 'production',
    by: 'U0APPROVER',
    reason: `rolled back v1.3.0-bad (${ROLLBACK_ID})`,
  };

  it('announces the lock with who, why, since when and the exact unlock command', () => {
    const at = APPROVED + 67_000;
    const out = appLockedMessage({ ...lock, at }, at);
    assert.equal(
      allText(out),
      `🔒 locked backend/production: rolled back v1.3.0-bad (${ROLLBACK_ID}) — by <@U0APPROVER>, since <!date^${Math.floor(at / 1000)}^{time}|17:29 UTC>. Unlock with \`/deploy unlock backend production\` when the cause is understood.`,
    );
    assert.equal(
      out.text,
      `locked backend/production: rolled back v1.3.0-bad (${ROLLBACK_ID}) — by <@U0APPROVER>, since 17:29 UTC. Unlock with /deploy unlock backend production`,
    );
    assertWithinLimits(out);
  });

  it('/deploy status lists proposals as proposals, rollbacks labelled, and the locks', () => {
    const downgrade = databaseRollback({ action: 'downgrade' });
    const out = statusReply({
      releases: [revertedRelease(), runningRollback(), downgrade],
      related: { [ROLLBACK_ID]: runningRollback(), [BAD_ID]: revertedRelease() },
      locks: [{ ...lock, since: APPROVED }],
      now: NOW,
    });
    const lines = allText(out).split('\n');
    assert.deepEqual(lines.slice(0, 4), [
      '*3 releases in flight*',
      '⏪ rolling back (rollback r20261127t180000-beef approved by <@U0APPROVER>, at deploy) · *backend* `v1.3.0-bad` → *production* · `r20261127t171340-3f9a`',
      '⏳ running (approved by <@U0APPROVER>): deploy waiting 2m 00s — backend-service: 1/2 tasks on social-analytics-backend:8 · Rollback of *backend* `v1.3.0-bad` → *production* · `r20261127t180000-beef`',
      '🗳️ awaiting approval · Migration rollback of *backend* `v1.3.0-bad` → *production* · `r20261127t181500-cafe`',
    ]);
    assert.deepEqual(lines.slice(4), [
      '*Locks* (1 lock)',
      `🔒 locked backend/production: rolled back v1.3.0-bad (${ROLLBACK_ID}) — by <@U0APPROVER>, since <!date^${Math.floor(APPROVED / 1000)}^{date_short} {time}|2026-11-27 17:28 UTC>. Unlock with \`/deploy unlock backend production\``,
    ]);
    assert.equal(out.text, '3 releases in flight; 1 lock');
    assert.doesNotMatch(allText(out), /awaiting start/);
  });
});
