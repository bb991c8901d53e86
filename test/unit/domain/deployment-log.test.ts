import assert from 'node:assert/strict';
import { deploymentLog, type AuditRecord, type LogEvent } from '../../../src/domain/deployment-log';
import { LOG_COLUMNS, deploymentLogRow } from '../../../src/domain/deployment-log-row';
import { planDatabaseRollbackSteps, planRollbackSteps, planSteps } from '../../../src/domain/plan';
import type { Release, StepName, StepRecord } from '../../../src/domain/release';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
const MIN = 60_000;
const ID = 'r20261127t090000-aaaa';
const ROLLBACK = 'r20261127t100000-bbbb';
const DOWNGRADE = 'r20261127t103000-cccc';

function steps(records: StepRecord[], changes: Partial<Record<StepName, Partial<StepRecord>>>): StepRecord[] {
  return records.map((s) => ({ ...s, ...changes[s.name] }));
}

const ran = (from: number, minutes: number, summary: string): Partial<StepRecord> => ({
  state: 'succeeded',
  startedAt: from,
  finishedAt: from + minutes * MIN,
  summary,
  runs: 1,
});

/** backend v1.2.0 to production: queued, released against policy, then rolled back, services and database. */
function shipped(overrides: Partial<Release> = {}): Release {
  return {
    id: ID,
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'succeeded',
    createdAt: T0,
    updatedAt: T0 + 90 * MIN,
    startedAt: T0 + 5 * MIN,
    startedBy: 'U0DEPLOYER',
    endedAt: T0 + 30 * MIN,
    revision: 20,
    steps: steps(planSteps('minor', { hasDatabase: true, hasMigration: true }), {
      preflight: ran(T0, 1, '9 checks passed'),
      backup: ran(T0 + 5 * MIN, 2, 'snapshot available'),
      baseline: ran(T0 + 7 * MIN, 1, 'p99 120ms'),
      migrate: ran(T0 + 8 * MIN, 1, 'alembic upgrade head exited 0'),
      deploy: ran(T0 + 9 * MIN, 3, 'backend-service steady'),
      verify: ran(T0 + 12 * MIN, 1, '3 endpoints answered'),
      monitor: ran(T0 + 13 * MIN, 15, 'all clear'),
    }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {
      'image-pushed': { by: 'deploybot', at: T0 + MIN },
      'unit-tests': { by: 'U0ALICE', at: T0 + 3 * MIN },
    },
    queue: { queuedAt: T0, queuedBy: 'U0DEPLOYER', why: 'outside its window' },
    override: {
      by: 'U0LEAD',
      reason: 'checkout is down',
      overrode: 'minor releases run Mon–Fri',
      at: T0 + 4 * MIN,
    },
    rolledBackBy: ROLLBACK,
    followUps: [
      { kind: 'summary', afterMs: 3_600_000, at: T0 + 90 * MIN, lines: ['Follow-up +1h', '5xx 9.0%'] },
    ],
    review: {
      by: 'U0ALICE',
      at: T0 + 120 * MIN,
      wentWell: 'fast rollback',
      couldImprove: 'canary first',
      unexpectedIssues: 'a slow query',
      followUpActions: 'add an index',
    },
    ...overrides,
  };
}

function rollbackOf(id: string, overrides: Partial<Release>, database = false): Release {
  return {
    ...shipped(),
    id,
    version: 'v1.1.0',
    requestedBy: 'deploybot',
    createdAt: T0 + 60 * MIN,
    startedAt: T0 + 62 * MIN,
    startedBy: 'U0APPROVER',
    endedAt: T0 + 70 * MIN,
    steps: database ? planDatabaseRollbackSteps('downgrade') : planRollbackSteps(),
    checklist: {},
    rollbackOf: {
      releaseId: ID,
      version: 'v1.2.0',
      requestedBy: 'U0DEPLOYER',
      reason: 'error-rate: 5xx 9.0% > 5.0%',
      ...(database ? { database: { action: 'downgrade' as const } } : {}),
    },
    proposal: { expects: {}, approvedBy: { by: 'U0APPROVER', at: T0 + 62 * MIN } },
    queue: undefined,
    override: undefined,
    rolledBackBy: undefined,
    followUps: undefined,
    review: undefined,
    ...overrides,
  } as Release;
}

const serviceRollback = rollbackOf(ROLLBACK, {});
const databaseRollback = rollbackOf(
  DOWNGRADE,
  {
    createdAt: T0 + 75 * MIN,
    startedAt: T0 + 76 * MIN,
    endedAt: T0 + 78 * MIN,
    state: 'failed',
    failure: { code: 'migration_failed', message: 'alembic downgrade exited 1', step: 'migrate_down' },
    proposal: { expects: {}, approvedBy: { by: 'U0DBA', at: T0 + 76 * MIN } },
  },
  true,
);

const says = (events: LogEvent[], who: string, what: RegExp) =>
  events.some((e) => e.who === who && what.test(e.what));

describe('deploymentLog', () => {
  it('tells one release in full: who requested, overrode, ticked, started, and what its rollbacks did', () => {
    const log = deploymentLog(shipped(), [databaseRollback, serviceRollback], []);
    assert.equal(log.kind, 'minor');
    assert.equal(log.state, 'rolled back');
    assert.equal(log.requestedBy, 'U0DEPLOYER');
    assert.equal(log.startedBy, 'U0DEPLOYER');
    assert.equal(log.override?.by, 'U0LEAD');
    assert.deepEqual(
      log.ticks.map((t) => `${t.item} ${t.by}`),
      ['image-pushed deploybot', 'unit-tests U0ALICE'],
    );
    assert.deepEqual(
      log.rollbacks.map((r) => `${r.kind} ${r.id} ${r.state} ${r.approvedBy?.by}`),
      [`rollback ${ROLLBACK} succeeded U0APPROVER`, `migration rollback ${DOWNGRADE} failed U0DBA`],
    );
    assert.deepEqual(log.issues, [`migration rollback ${DOWNGRADE} failed: alembic downgrade exited 1`]);
    assert.equal(log.followUps[0]?.lines[1], '5xx 9.0%');
    assert.equal(log.review?.followUpActions, 'add an index');
    const { events } = log;
    assert.ok(says(events, 'U0DEPLOYER', /^requested v1\.2\.0 \(minor\) to backend\/production$/));
    assert.ok(says(events, 'U0DEPLOYER', /^queued: outside its window$/));
    assert.ok(
      says(
        events,
        'U0LEAD',
        /^overrode the release policy \(minor releases run Mon–Fri\): checkout is down$/,
      ),
    );
    assert.ok(says(events, 'U0ALICE', /^ticked unit-tests$/));
    assert.ok(says(events, 'deploybot', /^deploy succeeded after 3m 00s: backend-service steady$/));
    assert.ok(says(events, 'deploybot', /^released v1\.2\.0$/));
    assert.ok(says(events, 'U0APPROVER', new RegExp(`^approved rollback ${ROLLBACK}$`)));
    assert.ok(
      says(
        events,
        'deploybot',
        new RegExp(`^migration rollback ${DOWNGRADE} failed: alembic downgrade exited 1$`),
      ),
    );
    assert.ok(says(events, 'U0ALICE', /^answered the post-deployment review$/));
    const times = events.map((e) => e.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'oldest first',
    );
  });

  it('ignores releases that revert something else', () => {
    const other = rollbackOf('r20261127t110000-dddd', {
      rollbackOf: { releaseId: 'r-other', version: 'v1.0.0', requestedBy: 'U1' },
    });
    const log = deploymentLog(shipped({ rolledBackBy: undefined }), [other], []);
    assert.deepEqual(log.rollbacks, []);
    assert.equal(log.state, 'succeeded');
  });

  it('says a rollback whose record is gone is an issue, and the release as rolling back', () => {
    const log = deploymentLog(shipped(), [], []);
    assert.equal(log.state, 'rolling back');
    assert.deepEqual(log.issues, [`rolled back by release ${ROLLBACK}, whose record is gone`]);
  });

  it('adds what only the audit knows, once: earlier ticks, unticks, refusals; never a copy of the record', () => {
    const audit: AuditRecord[] = [
      { at: T0 + 30 * MIN, actor: 'deploybot', action: 'release.succeeded', detail: 'v1.2.0 released' },
      { at: T0 + 5 * MIN, actor: 'U0DEPLOYER', action: 'release.started', detail: 'v1.2.0' },
      { at: T0 + 3 * MIN, actor: 'U0ALICE', action: 'checklist.tick', detail: '+unit-tests' },
      { at: T0 + 2 * MIN, actor: 'U0ALICE', action: 'checklist.tick', detail: '-unit-tests -coverage' },
      { at: T0 + 1.5 * MIN, actor: 'U0ALICE', action: 'checklist.tick', detail: '+unit-tests +coverage' },
      { at: T0 + 4.5 * MIN, actor: 'U0MALLORY', action: 'refused.approve', detail: 'not an approver' },
      { at: T0 + 0.1 * MIN, actor: 'U0DEPLOYER', action: 'release.requested', detail: 'v1.2.0' },
      {
        at: T0 + 0.1 * MIN,
        actor: 'U0DEPLOYER',
        action: 'release.queued',
        detail: 'v1.2.0: outside its window',
      },
      { at: T0 + 4 * MIN, actor: 'U0LEAD', action: 'release.override', detail: 'minor releases run Mon–Fri' },
      { at: T0 + 120 * MIN, actor: 'U0ALICE', action: 'release.reviewed', detail: 'answered' },
      {
        at: T0 + 6 * MIN,
        actor: 'deploybot',
        action: 'release.dequeued',
        detail: 'v1.2.0: its turn in the queue',
      },
    ];
    const { events } = deploymentLog(shipped({ rolledBackBy: undefined }), [], audit);
    const alice = events.filter((e) => e.who === 'U0ALICE' && e.kind === 'checklist').map((e) => e.what);
    assert.deepEqual(alice, [
      'ticked unit-tests, coverage',
      'unticked unit-tests, coverage',
      'ticked unit-tests',
    ]);
    assert.ok(says(events, 'U0MALLORY', /^refused approve: not an approver$/));
    assert.equal(events.filter((e) => /^requested /.test(e.what)).length, 1);
    assert.equal(
      events.filter((e) => /^queued|^overrode|review/.test(e.what)).length,
      3,
      'one each, from the record',
    );
    assert.ok(says(events, 'deploybot', /^release dequeued: v1\.2\.0: its turn in the queue$/));
    assert.equal(events.filter((e) => e.what === 'started').length, 1);
    assert.equal(events.filter((e) => /released|succeeded: v1/.test(e.what)).length, 1);
  });

  it('names a failure once, and a different error of another step beside it', () => {
    const failed = shipped({
      state: 'failed',
      rolledBackBy: undefined,
      failure: { code: 'deploy_failed', message: 'circuit breaker rolled back', step: 'deploy' },
      steps: steps(shipped().steps, {
        deploy: { state: 'failed', error: { code: 'deploy_failed', message: 'circuit breaker rolled back' } },
        verify: { state: 'failed', error: { code: 'probe', message: '/health answered 503' } },
      }),
    });
    const log = deploymentLog(failed, [], []);
    assert.deepEqual(log.issues, [
      'failed at deploy: circuit breaker rolled back',
      'verify: /health answered 503',
    ]);
    assert.ok(says(log.events, 'deploybot', /^failed at deploy: circuit breaker rolled back$/));
  });

  it('ends an expired release with why, by deploybot', () => {
    const expired = shipped({
      state: 'cancelled',
      cancelledBy: 'deploybot',
      startedAt: undefined,
      startedBy: undefined,
      rolledBackBy: undefined,
      expired: { afterMs: 30 * MIN, at: T0 + 30 * MIN },
    });
    const log = deploymentLog(expired, [], []);
    assert.ok(says(log.events, 'deploybot', /^expired: nobody pressed Start within 30m 00s$/));
    assert.ok(log.issues.includes('expired: nobody pressed Start within 30m 00s'));
  });

  it('tells a rollback proposal closed undecided by its closing, not as a cancel', () => {
    const closed = rollbackOf(ROLLBACK, {
      state: 'cancelled',
      startedAt: undefined,
      startedBy: undefined,
      proposal: {
        expects: {},
        closed: { how: 'superseded', text: 'superseded by v1.3.0', at: T0 + 65 * MIN },
      },
    });
    const log = deploymentLog(closed, [], []);
    assert.equal(log.state, 'superseded');
    assert.equal(log.kind, 'rollback');
    assert.deepEqual(log.rollbackOf, {
      releaseId: ID,
      version: 'v1.2.0',
      reason: 'error-rate: 5xx 9.0% > 5.0%',
    });
    assert.ok(says(log.events, 'deploybot', /^proposal superseded: superseded by v1\.3\.0$/));
    assert.ok(!log.events.some((e) => e.what === 'cancelled'));
  });
});

describe('deploymentLogRow', () => {
  it('has every column, in order, with ISO times, step times and nulls for what did not happen', () => {
    const row = deploymentLogRow(deploymentLog(shipped(), [serviceRollback, databaseRollback], []));
    assert.deepEqual(Object.keys(row), LOG_COLUMNS);
    assert.equal(row.requested_at, '2026-11-27T09:00:00.000Z');
    assert.equal(row.duration_s, 25 * 60);
    assert.equal(row.deploy_started_at, '2026-11-27T09:09:00.000Z');
    assert.equal(row.deploy_finished_at, '2026-11-27T09:12:00.000Z');
    assert.equal(row.migrate_down_state, null, 'a step the release does not have');
    assert.equal(row.override_reason, 'checkout is down');
    assert.equal(row.ticks, 'image-pushed by deploybot | unit-tests by U0ALICE');
    assert.equal(
      row.rollbacks,
      `rollback ${ROLLBACK} succeeded approved by U0APPROVER | migration rollback ${DOWNGRADE} failed approved by U0DBA`,
    );
    assert.equal(row.follow_ups, '+1h 00m: Follow-up +1h; 5xx 9.0%');
    assert.equal(row.review_unexpected_issues, 'a slow query');
    assert.equal(row.approved_by, null);
  });
});
