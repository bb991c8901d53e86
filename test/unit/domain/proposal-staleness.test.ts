import assert from 'node:assert/strict';
import type { Release } from '../../../src/domain/release';
import {
  isStale,
  newerStartedRelease,
  serviceDrift,
  supersededText,
} from '../../../src/domain/proposal-staleness';

const T0 = Date.UTC(2026, 10, 27, 17, 0, 0);
const TD = (family: string, revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

function aRelease(id: string, extra: Partial<Release> = {}): Release {
  return {
    id,
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'succeeded',
    createdAt: T0,
    updatedAt: T0,
    revision: 1,
    steps: [],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...extra,
  };
}

/** The proposal r-p of r-old, made at T0 + 100 when r-old was the newest release. */
const proposal = aRelease('r-p', {
  createdAt: T0 + 100,
  state: 'awaiting_start',
  rollbackOf: { releaseId: 'r-old', version: 'v1.2.0', requestedBy: 'U0DEPLOYER' },
  proposal: { expects: {}, newestReleaseId: 'r-old' },
});
const old = aRelease('r-old', { startedAt: T0 + 10 });

describe('newerStartedRelease', () => {
  /** [what, history newest first, expected id or undefined] */
  const CASES: [string, Release[], string | undefined][] = [
    ['nothing since the proposal', [proposal, old], undefined],
    [
      'a release requested since but not started',
      [aRelease('r-new', { createdAt: T0 + 200, state: 'awaiting_start' }), proposal, old],
      undefined,
    ],
    [
      'a release started since',
      [aRelease('r-new', { version: 'v1.3.0', createdAt: T0 + 200, startedAt: T0 + 300 }), proposal, old],
      'r-new',
    ],
    [
      'a release created after the recorded newest, even with a clock behind',
      [aRelease('r-new', { createdAt: T0 + 50, startedAt: T0 + 60 }), proposal, old],
      'r-new',
    ],
    [
      'a release awaiting its start when proposed and started since',
      [proposal, aRelease('r-waiting', { createdAt: T0 + 20, startedAt: T0 + 500 }), old],
      'r-waiting',
    ],
    [
      'another rollback that started',
      [
        aRelease('r-other', { createdAt: T0 + 150, startedAt: T0 + 160, rollbackOf: proposal.rollbackOf }),
        proposal,
        old,
      ],
      'r-other',
    ],
    ['the proposal itself, started', [{ ...proposal, startedAt: T0 + 900 }, old], undefined],
    [
      'the newest of several',
      [
        aRelease('r-b', { createdAt: T0 + 400, startedAt: T0 + 410 }),
        aRelease('r-a', { createdAt: T0 + 200, startedAt: T0 + 210 }),
        proposal,
        old,
      ],
      'r-b',
    ],
  ];
  for (const [what, history, expected] of CASES) {
    it(`${what}: ${expected ?? 'none'}`, () => {
      assert.equal(newerStartedRelease(proposal, history)?.id, expected);
    });
  }
});

describe('serviceDrift', () => {
  const expects = { 'backend-service': TD('backend', 8), 'worker-service': TD('worker', 4) };

  it('finds none when every service runs what was expected', () => {
    assert.deepEqual(
      serviceDrift(expects, { 'backend-service': TD('backend', 8), 'worker-service': TD('worker', 4) }),
      [],
    );
  });

  it('names each service that runs something else', () => {
    assert.deepEqual(
      serviceDrift(expects, { 'backend-service': TD('backend', 9), 'worker-service': TD('worker', 4) }),
      [{ service: 'backend-service', runs: TD('backend', 9), expected: TD('backend', 8) }],
    );
  });

  it('accepts the revision an in-flight release moves away from', () => {
    const running = { 'backend-service': TD('backend', 7), 'worker-service': TD('worker', 4) };
    assert.deepEqual(serviceDrift(expects, running, { 'backend-service': TD('backend', 7) }), []);
    assert.equal(serviceDrift(expects, running).length, 1);
  });

  it('does not judge a service ECS did not report', () => {
    assert.deepEqual(serviceDrift(expects, { 'backend-service': TD('backend', 8) }), []);
  });
});

describe('supersededText', () => {
  const newer = aRelease('r-new', { version: 'v1.3.0' });
  const drift = [{ service: 'backend-service', runs: TD('backend', 9), expected: TD('backend', 8) }];

  it('names the newer release and what each service runs now', () => {
    assert.equal(
      supersededText({ newer, drift }),
      'superseded by v1.3.0 (r-new): backend-service now runs backend:9, not backend:8',
    );
  });
  it('names the drift alone when no release started', () => {
    assert.equal(supersededText({ drift }), 'superseded: backend-service now runs backend:9, not backend:8');
  });
  it('names the newer release alone when no service drifted', () => {
    assert.equal(
      supersededText({ newer, drift: [] }),
      'superseded by v1.3.0 (r-new), started since this proposal',
    );
  });
  it('names a rollback for what it is', () => {
    const rollback = aRelease('r-rb', {
      rollbackOf: { releaseId: 'r-x', version: 'v1.2.0', requestedBy: 'U1' },
    });
    assert.match(supersededText({ newer: rollback, drift: [] }), /^superseded by rollback r-rb of v1\.2\.0/);
  });
  it('is stale with either a newer release or drift, and not without', () => {
    assert.equal(isStale({ drift: [] }), false);
    assert.equal(isStale({ newer, drift: [] }), true);
    assert.equal(isStale({ drift }), true);
  });
});
