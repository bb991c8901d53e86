import assert from 'node:assert/strict';
import { renderAudit, renderHistoryLine, renderRelease, renderStatus } from '../../../src/cli/render';
import type { Release, StepRecord } from '../../../src/domain/release';

const T0 = Date.UTC(2026, 10, 27, 17, 13, 40);

function release(steps: StepRecord[], extra: Partial<Release> = {}): Release {
  return {
    id: 'r20261127t171340-3f9a',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'running',
    createdAt: T0,
    updatedAt: T0,
    revision: 3,
    steps,
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...extra,
  };
}

const HEADER = 'r20261127t171340-3f9a  backend/production  v1.2.0 (minor)  running  requested by U0DEPLOYER';

describe('renderRelease', () => {
  /** [what, step, now, expected line] */
  const LINES: [string, StepRecord, number, string][] = [
    [
      'a pending step',
      { name: 'deploy', state: 'pending', runs: 0, progress: {} },
      T0,
      '  · deploy    pending',
    ],
    [
      'a skipped step with its reason',
      { name: 'backup', state: 'skipped', reason: 'no database configured', runs: 0, progress: {} },
      T0,
      '  – backup    skipped: no database configured',
    ],
    [
      'a succeeded step with its time and summary',
      {
        name: 'preflight',
        state: 'succeeded',
        startedAt: T0,
        finishedAt: T0 + 42_000,
        summary: '7 checks passed',
        runs: 1,
        progress: {},
      },
      T0 + 600_000,
      '  ✓ preflight 42s     7 checks passed',
    ],
    [
      'a failed step with its time and its error in words, not its code',
      {
        name: 'migrate',
        state: 'failed',
        startedAt: T0,
        finishedAt: T0 + 185_000,
        error: { code: 'migration_failed', message: 'exit code 1' },
        runs: 2,
        progress: {},
      },
      T0 + 600_000,
      '  ✗ migrate   3m 05s  failed: exit code 1',
    ],
    [
      'a failed step without an error',
      { name: 'verify', state: 'failed', startedAt: T0, finishedAt: T0 + 950, runs: 1, progress: {} },
      T0,
      '  ✗ verify    950ms   failed',
    ],
    [
      'a running step, timed until now, with its progress note',
      { name: 'deploy', state: 'running', startedAt: T0, runs: 1, progress: { note: 'rolling out to web' } },
      T0 + 3_720_000,
      '  ▶ deploy    1h 02m  rolling out to web',
    ],
    [
      'a waiting step without a note',
      { name: 'backup', state: 'waiting', startedAt: T0, runs: 3, progress: {} },
      T0 + 5_000,
      '  … backup    5s      waiting',
    ],
    [
      'a waiting step whose note is not text',
      { name: 'backup', state: 'waiting', startedAt: T0, runs: 3, progress: { note: 7 } },
      T0 + 5_000,
      '  … backup    5s      waiting',
    ],
  ];
  for (const [what, step, now, line] of LINES) {
    it(`shows ${what}`, () => {
      assert.equal(renderRelease(release([step]), now), `${HEADER}\n${line}`);
    });
  }

  it('shows the header and one line a step, in order', () => {
    const text = renderRelease(
      release([
        {
          name: 'preflight',
          state: 'succeeded',
          startedAt: T0,
          finishedAt: T0 + 1_000,
          summary: 'ok',
          runs: 1,
          progress: {},
        },
        { name: 'backup', state: 'skipped', reason: 'no database configured', runs: 0, progress: {} },
        { name: 'migrate', state: 'skipped', reason: 'no migration configured', runs: 0, progress: {} },
        { name: 'deploy', state: 'pending', runs: 0, progress: {} },
        { name: 'verify', state: 'pending', runs: 0, progress: {} },
      ]),
      T0 + 2_000,
    );
    assert.deepEqual(text.split('\n'), [
      HEADER,
      '  ✓ preflight 1s      ok',
      '  – backup    skipped: no database configured',
      '  – migrate   skipped: no migration configured',
      '  · deploy    pending',
      '  · verify    pending',
    ]);
  });

  it('ends with the failure of a failed release, said once and without its code', () => {
    const text = renderRelease(
      release(
        [
          {
            name: 'deploy',
            state: 'failed',
            startedAt: T0,
            finishedAt: T0 + 60_000,
            error: { code: 'circuit_breaker', message: 'ECS rolled back backend-service' },
            runs: 4,
            progress: {},
          },
        ],
        {
          state: 'failed',
          failure: { code: 'circuit_breaker', message: 'ECS rolled back backend-service', step: 'deploy' },
        },
      ),
      T0 + 120_000,
    );
    assert.deepEqual(text.split('\n'), [
      HEADER.replace('running', 'failed'),
      '  ✗ deploy    1m 00s  failed',
      '  failure: ECS rolled back backend-service',
    ]);
  });

  it('shows the release type and a CLI requester in the header', () => {
    const text = renderRelease(
      release([], { type: 'hotfix', requestedBy: 'cli:alice', state: 'awaiting_start' }),
      T0,
    );
    assert.equal(
      text,
      'r20261127t171340-3f9a  backend/production  v1.2.0 (hotfix)  awaiting start  requested by cli:alice',
    );
  });
});

describe('renderHistoryLine', () => {
  it('shows when, id, environment, version, type and state in columns', () => {
    assert.equal(
      renderHistoryLine(release([], { state: 'succeeded' })),
      '2026-11-27 17:13  r20261127t171340-3f9a  production   v1.2.0         minor   succeeded',
    );
  });
});

describe('renderAudit', () => {
  const AT = Date.UTC(2026, 10, 27, 17, 13, 40, 123);
  const CASES: [string, Parameters<typeof renderAudit>[0], string][] = [
    [
      'a release action with every field',
      {
        id: '1-0',
        at: AT,
        actor: 'U0DEPLOYER',
        action: 'release.requested',
        app: 'backend',
        environment: 'production',
        releaseId: 'r20261127t171340-3f9a',
        detail: 'v1.2.0',
      },
      '2026-11-27T17:13:40.123Z  U0DEPLOYER  release.requested backend/production r20261127t171340-3f9a  v1.2.0',
    ],
    [
      'an action without app, release or detail',
      { id: '1-1', at: AT, actor: 'deploybot', action: 'bot.started' },
      '2026-11-27T17:13:40.123Z  deploybot  bot.started',
    ],
    [
      'an app action without an environment',
      { id: '1-2', at: AT, actor: 'cli:alice', action: 'lock.released', app: 'backend' },
      '2026-11-27T17:13:40.123Z  cli:alice  lock.released backend/',
    ],
  ];
  for (const [what, entry, line] of CASES) {
    it(`shows ${what}`, () => {
      assert.equal(renderAudit(entry), line);
    });
  }
});

describe('release kinds in history', () => {
  it('names rollbacks for what they are, so an incident reads as one', () => {
    const base = {
      id: 'r20261127t180000-beef',
      app: 'backend',
      environment: 'production',
      version: 'v1.2.0',
      type: 'hotfix' as const,
      requestedBy: 'deploybot',
      state: 'succeeded' as const,
      createdAt: Date.UTC(2026, 10, 27, 18),
      updatedAt: Date.UTC(2026, 10, 27, 18),
      revision: 3,
      steps: [],
      facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
      checklist: {},
    };
    const of = { releaseId: 'r20261127t171340-3f9a', version: 'v1.2.0', requestedBy: 'U1' };
    assert.match(renderHistoryLine(base), / hotfix /);
    assert.match(renderHistoryLine({ ...base, rollbackOf: of }), / rollback /);
    assert.match(
      renderHistoryLine({ ...base, rollbackOf: { ...of, database: { action: 'downgrade' } } }),
      / migration rollback /,
    );
    assert.match(
      renderHistoryLine({ ...base, rollbackOf: { ...of, database: { action: 'restore' } } }),
      / snapshot restore /,
    );
  });
});

describe('renderRelease of a rollback proposal', () => {
  it('says how and why a proposal closed undecided, so "cancelled" is not read as someone’s no', () => {
    const closed = release([], {
      state: 'cancelled',
      proposal: {
        expects: {},
        closed: {
          how: 'superseded',
          text: 'superseded by v1.3.0 (r1): backend-service now runs backend:9, not backend:8',
          at: T0,
        },
      },
    });
    assert.equal(
      renderRelease(closed, T0).split('\n')[1],
      '  closed: superseded by v1.3.0 (r1): backend-service now runs backend:9, not backend:8; nothing was changed',
    );
  });

  it('says who approved a proposal whose start is under way', () => {
    const claimed = release([], {
      state: 'awaiting_start',
      proposal: { expects: {}, approvedBy: { by: 'U0APPROVER', at: T0 } },
    });
    assert.equal(renderRelease(claimed, T0).split('\n')[1], '  approved by U0APPROVER; starting');
  });
});

describe('renderRelease says the state as people read it', () => {
  const of = { releaseId: 'r20261127t171340-0001', version: 'v1.3.0-bad', requestedBy: 'U0REQUESTER' };
  const stateOf = (text: string) => text.split('\n')[0]?.split('  ')[3];

  it('a rollback proposal awaits approval, not its start', () => {
    const proposal = release([], { state: 'awaiting_start', rollbackOf: of, proposal: { expects: {} } });
    assert.equal(stateOf(renderRelease(proposal, T0)), 'awaiting approval');
  });

  it('a reverted release is rolling back until its rollback succeeded', () => {
    const reverted = release([], { state: 'rolled_back', rolledBackBy: 'r20261127t180000-beef' });
    const rollback = release([], { id: 'r20261127t180000-beef', rollbackOf: of });
    assert.equal(stateOf(renderRelease(reverted, T0, rollback)), 'rolling back');
    assert.equal(stateOf(renderRelease(reverted, T0, { ...rollback, state: 'succeeded' })), 'rolled back');
  });
});

describe('renderStatus', () => {
  const of = { releaseId: 'r20261127t171340-0001', version: 'v1.3.0-bad', requestedBy: 'U0REQUESTER' };

  it('lists releases in flight, proposals as proposals, then every manual lock with its unlock command', () => {
    const running = release([]);
    const proposal = release([], {
      id: 'r20261127t180000-beef',
      state: 'awaiting_start',
      requestedBy: 'deploybot',
      rollbackOf: { ...of, database: { action: 'downgrade' } },
      proposal: { expects: {} },
    });
    const text = renderStatus(
      {
        releases: [running, proposal],
        related: {},
        locks: [
          {
            app: 'backend',
            environment: 'production',
            by: 'deploybot',
            reason: 'rolled back v1.3.0-bad',
            since: T0 - 12 * 60_000,
          },
        ],
      },
      T0,
    );
    assert.deepEqual(text.split('\n'), [
      'releases in flight:',
      '  r20261127t171340-3f9a  backend/production  v1.2.0 (minor)  running  requested by U0DEPLOYER',
      '  r20261127t180000-beef  backend/production  v1.2.0 (migration rollback of v1.3.0-bad)  awaiting approval  requested by deploybot',
      'locked:',
      '  backend/production  locked by deploybot 12 min ago: rolled back v1.3.0-bad  (deploybot unlock backend production)',
    ]);
  });

  it('says when nothing is in flight and nothing is locked', () => {
    assert.equal(
      renderStatus({ releases: [], related: {}, locks: [] }, T0),
      'no releases in flight\nno manual locks',
    );
  });
});
