import assert from 'node:assert/strict';
import { releaseFinishedMessage, stepDetailMessage } from '../../../../src/slack/blocks/thread-messages';
import { T0, aRelease, allText, assertWithinLimits, done, textOf, withSteps } from './fixtures';

const STARTED = T0 + 300_000;

describe('stepDetailMessage', () => {
  const release = withSteps(aRelease({ state: 'running' }), { preflight: done(T0, 12, '9 checks passed') });

  it('puts the first line as a bold title and the rest in a code block', () => {
    const out = stepDetailMessage(release, 'preflight', [
      '9 checks passed',
      '✓ image v1.2.0 exists for backend',
      '✓ social-analytics-db is available',
    ]);
    assert.equal(textOf(out.blocks[0]?.text), '✅ succeeded · *preflight: 9 checks passed*');
    assert.equal(
      textOf(out.blocks[1]?.text),
      '```\n✓ image v1.2.0 exists for backend\n✓ social-analytics-db is available\n```',
    );
    assert.equal(out.text, 'preflight: 9 checks passed');
  });

  it('does not repeat the step name when the title starts with it', () => {
    const failed = withSteps(release, { migrate: { state: 'failed' } });
    const out = stepDetailMessage(failed, 'migrate', ['migrate failed (MIGRATION_FAILED)', 'exit 1']);
    assert.equal(textOf(out.blocks[0]?.text), '❌ failed · *migrate failed (MIGRATION_FAILED)*');
  });

  it('is only a title when there are no details', () => {
    const out = stepDetailMessage(release, 'preflight', ['9 checks passed']);
    assert.equal(out.blocks.length, 1);
    assert.equal(stepDetailMessage(release, 'preflight', []).blocks.length, 1);
  });

  it('keeps the end of a long log tail and says how much is not shown', () => {
    const tail = Array.from({ length: 3000 }, (_, i) => `INFO [alembic] step ${i} <ok> & done`);
    const out = stepDetailMessage(release, 'migrate', ['`alembic upgrade head` exited 0', ...tail]);
    const log = textOf(out.blocks[1]?.text);
    assert.match(log, /^_… 2,\d{3} earlier lines not shown_\n```\n/);
    assert.ok(log.endsWith('INFO [alembic] step 2999 &lt;ok&gt; &amp; done\n```'));
    assertWithinLimits(out);
  });

  it('escapes the title', () => {
    const out = stepDetailMessage(release, 'verify', ['<!channel> & friends']);
    assert.equal(textOf(out.blocks[0]?.text), '⬜ pending · *verify: &lt;!channel&gt; &amp; friends*');
  });
});

describe('releaseFinishedMessage', () => {
  const steps = {
    preflight: done(T0, 12, '9 checks passed'),
    backup: done(STARTED, 95, 'snapshot available'),
    baseline: done(STARTED + 95_000, 20, 'p99 120ms, 5xx 0.0%'),
    migrate: done(STARTED + 115_000, 40, 'exited 0'),
    deploy: done(STARTED + 155_000, 100, 'backend-service steady'),
    verify: done(STARTED + 255_000, 17, '3 endpoints answered'),
    monitor: done(STARTED + 272_000, 900, '15m 00s watched, 15 samples: 5xx 0.0%'),
  };

  it('names a rollback for what it is, not a release', () => {
    const of = { releaseId: 'r20261127t171340-3f9a', version: 'v1.2.0', requestedBy: 'U0DEPLOYER' };
    const finished = {
      state: 'succeeded' as const,
      startedAt: STARTED,
      endedAt: STARTED + 3_000,
      steps: [],
      facts: {
        previousTaskDefinitions: {},
        targetTaskDefinitions: {
          'backend-service': 'arn:aws:ecs:us-east-1:123456789012:task-definition/social-analytics-backend:8',
        },
      },
    };
    const headline = (release: ReturnType<typeof aRelease>) =>
      allText(releaseFinishedMessage(release, STARTED + 5_000)).split('\n')[0];
    assert.equal(
      headline(aRelease({ ...finished, rollbackOf: of })),
      '✅ Rollback of *backend* `v1.2.0` → *production* finished in 3s: backend-service back on social-analytics-backend:8',
    );
    assert.equal(
      headline(
        aRelease({
          ...finished,
          rollbackOf: { ...of, database: { action: 'restore', restoreInto: 'db-rollback-r1' } },
        }),
      ),
      '✅ Snapshot restore of *backend* `v1.2.0` → *production* finished in 3s: snapshot restored into db-rollback-r1',
    );
    assert.equal(
      headline(aRelease({ ...finished, rollbackOf: { ...of, database: { action: 'downgrade' } } })),
      '✅ Migration rollback of *backend* `v1.2.0` → *production* finished in 3s: migration rolled back',
    );
    const text = releaseFinishedMessage(aRelease({ ...finished, rollbackOf: of }), STARTED + 5_000).text;
    assert.equal(
      text,
      'Rollback of backend v1.2.0 → production: finished in 3s: backend-service back on social-analytics-backend:8',
    );
    assert.doesNotMatch(text, /succeeded/);
  });

  it('sums up a success with each step and its time', () => {
    const release = withSteps(
      aRelease({ state: 'succeeded', startedAt: STARTED, endedAt: STARTED + 1_172_000 }),
      steps,
    );
    const out = releaseFinishedMessage(release, STARTED + 1_200_000);
    assert.equal(
      allText(out),
      [
        '✅ *backend* `v1.2.0` → *production* released in 19m 32s',
        '✅ succeeded · *preflight* 12s — 9 checks passed',
        '✅ succeeded · *backup* 1m 35s — snapshot available',
        '✅ succeeded · *baseline* 20s — p99 120ms, 5xx 0.0%',
        '✅ succeeded · *migrate* 40s — exited 0',
        '✅ succeeded · *deploy* 1m 40s — backend-service steady',
        '✅ succeeded · *verify* 17s — 3 endpoints answered',
        '✅ succeeded · *monitor* 15m 00s — 15m 00s watched, 15 samples: 5xx 0.0%',
        '  Requested by <@U0DEPLOYER> · release `r20261127t171340-3f9a`',
      ].join('\n'),
    );
    assert.equal(out.text, 'backend v1.2.0 → production: succeeded in 19m 32s');
  });

  it("names the failed step and outcome, leaving the error to the failed step's own post", () => {
    const release = withSteps(
      aRelease({
        state: 'failed',
        startedAt: STARTED,
        endedAt: STARTED + 100_000,
        failure: {
          step: 'deploy',
          code: 'ROLLED_BACK',
          message: 'circuit breaker rolled back backend-service',
        },
      }),
      {
        deploy: {
          state: 'failed',
          startedAt: STARTED,
          finishedAt: STARTED + 100_000,
          error: { code: 'ROLLED_BACK', message: 'circuit breaker rolled back backend-service' },
        },
      },
    );
    const out = releaseFinishedMessage(release, STARTED + 100_000);
    const text = allText(out);
    assert.ok(text.startsWith('❌ *backend* `v1.2.0` → *production* failed at *deploy*\n'), text);
    assert.match(text, /^❌ failed · \*deploy\* 1m 40s$/m);
    assert.doesNotMatch(text, /circuit breaker|ROLLED_BACK/);
    assert.equal(
      out.text,
      'backend v1.2.0 → production: failed at deploy — circuit breaker rolled back backend-service',
    );
  });

  it('says an unstarted release expired, not that deploybot cancelled it', () => {
    const out = releaseFinishedMessage(
      aRelease({ state: 'cancelled', cancelledBy: 'deploybot', expired: { afterMs: 7_200_000, at: T0 } }),
      T0,
    );
    assert.match(allText(out), /expired: nobody pressed Start within 2h/);
    assert.doesNotMatch(allText(out), /cancelled by/);
  });

  it('says who cancelled', () => {
    const out = releaseFinishedMessage(aRelease({ state: 'cancelled', cancelledBy: 'U0CAROL' }), T0);
    assert.ok(allText(out).startsWith('🚫 *backend* `v1.2.0` → *production* cancelled by <@U0CAROL>'));
    assert.equal(out.text, 'backend v1.2.0 → production: cancelled by <@U0CAROL>');
  });
});
