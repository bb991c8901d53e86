import assert from 'node:assert/strict';
import {
  headOf,
  nextEligibleAt,
  ordinal,
  queueEntryOf,
  queueSlots,
  runOrder,
  supersedingRelease,
  type QueueEntry,
} from '../../../src/domain/deploy-queue';
import type { Release, ReleaseState } from '../../../src/domain/release';

const T0 = Date.UTC(2026, 10, 27, 14, 0, 0);
const MIN = 60_000;

function entry(id: string, queuedAt: number, extra: Partial<QueueEntry> = {}): QueueEntry {
  return {
    id,
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    requestedBy: 'U1',
    queuedAt,
    ...extra,
  };
}

function release(
  id: string,
  version: string,
  state: ReleaseState,
  createdAt: number,
  extra: Partial<Release> = {},
): Release {
  return {
    id,
    app: 'backend',
    environment: 'production',
    version,
    type: 'minor',
    requestedBy: 'U2',
    state,
    createdAt,
    updatedAt: createdAt,
    revision: 1,
    steps: [],
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...extra,
  };
}

describe('deploy queue order', () => {
  const cases: { name: string; entries: QueueEntry[]; now: number; order: string[] }[] = [
    {
      name: 'first come, first served',
      entries: [entry('r3', T0 + 2), entry('r1', T0), entry('r2', T0 + 1)],
      now: T0 + MIN,
      order: ['r1', 'r2', 'r3'],
    },
    {
      name: 'ties on queuedAt broken by id',
      entries: [entry('rb', T0), entry('ra', T0), entry('rc', T0)],
      now: T0,
      order: ['ra', 'rb', 'rc'],
    },
    {
      name: 'a scheduled entry is left out before its time and does not hold up those behind it',
      entries: [entry('r1', T0, { notBefore: T0 + 60 * MIN }), entry('r2', T0 + 1)],
      now: T0 + MIN,
      order: ['r2'],
    },
    {
      name: 'once its time has come a scheduled entry takes the place its queuedAt gives it',
      entries: [entry('r2', T0 + 1), entry('r1', T0, { notBefore: T0 + 60 * MIN })],
      now: T0 + 60 * MIN,
      order: ['r1', 'r2'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        runOrder(c.entries, c.now).map((e) => e.id),
        c.order,
      );
      assert.equal(headOf(c.entries, c.now)?.id, c.order[0]);
    });
  }

  it('has no head when nothing is eligible, and says when something will be', () => {
    const entries = [
      entry('r1', T0, { notBefore: T0 + 30 * MIN }),
      entry('r2', T0, { notBefore: T0 + 10 * MIN }),
    ];
    assert.equal(headOf(entries, T0), undefined);
    assert.equal(nextEligibleAt(entries, T0), T0 + 10 * MIN);
    assert.equal(nextEligibleAt(entries, T0 + 10 * MIN), T0 + 30 * MIN);
    assert.equal(nextEligibleAt(entries, T0 + 30 * MIN), undefined);
  });
});

describe('deploy queue places', () => {
  it('counts waiting releases behind the lock holder, then scheduled ones by their time', () => {
    const entries = [
      entry('r4', T0 + 3, { notBefore: T0 + 90 * MIN, version: 'v1.5.0' }),
      entry('r2', T0 + 1, { version: 'v1.3.0' }),
      entry('r1', T0, { version: 'v1.2.0' }),
      entry('r3', T0 + 2, { notBefore: T0 + 30 * MIN, version: 'v1.4.0' }),
    ];
    const slots = queueSlots(entries, T0 + MIN, { id: 'r0', version: 'v1.1.0' });
    assert.deepEqual(
      slots.map((s) => [s.entry.id, s.position, s.ahead?.id, s.scheduledFor]),
      [
        ['r1', 1, 'r0', undefined],
        ['r2', 2, 'r1', undefined],
        ['r3', 3, undefined, T0 + 30 * MIN],
        ['r4', 4, undefined, T0 + 90 * MIN],
      ],
    );
  });

  it('the first place has nobody ahead when the scope is free', () => {
    assert.equal(queueSlots([entry('r1', T0)], T0)[0]?.ahead, undefined);
  });

  const ordinals: [number, string][] = [
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [102, '102nd'],
    [111, '111th'],
  ];
  for (const [n, words] of ordinals) it(`says ${n} as ${words}`, () => assert.equal(ordinal(n), words));
});

describe('queueEntryOf', () => {
  it('reads a queued release, and nothing else', () => {
    const queue = { queuedAt: T0, queuedBy: 'U2', notBefore: T0 + MIN, why: 'scheduled' };
    assert.deepEqual(queueEntryOf(release('r1', 'v1.2.0', 'queued', T0, { queue })), {
      id: 'r1',
      app: 'backend',
      environment: 'production',
      version: 'v1.2.0',
      requestedBy: 'U2',
      queuedAt: T0,
      notBefore: T0 + MIN,
    });
    assert.equal(queueEntryOf(release('r1', 'v1.2.0', 'awaiting_start', T0, { queue })), undefined);
    assert.equal(queueEntryOf(release('r1', 'v1.2.0', 'queued', T0)), undefined);
  });
});

describe('supersedingRelease', () => {
  const queued = entry('rq', T0, { version: 'v1.2.0' });
  const cases: { name: string; others: Release[]; newer?: string }[] = [
    { name: 'nothing newer', others: [release('ra', 'v1.1.0', 'succeeded', T0 + MIN)] },
    {
      name: 'a newer version requested after it was queued',
      others: [release('ra', 'v1.3.0', 'awaiting_start', T0 + MIN)],
      newer: 'ra',
    },
    {
      name: 'a newer version that succeeded after it was queued, though requested before',
      others: [release('ra', 'v1.3.0', 'succeeded', T0 - MIN, { endedAt: T0 + MIN })],
      newer: 'ra',
    },
    {
      name: 'not a newer version that was running already and is still running',
      others: [release('ra', 'v1.3.0', 'running', T0 - MIN)],
    },
    {
      name: 'not a newer version withdrawn (cancelled) after it was requested',
      others: [release('ra', 'v1.3.0', 'cancelled', T0 + MIN)],
    },
    {
      name: 'not a rollback',
      others: [
        release('ra', 'v1.3.0', 'succeeded', T0 + MIN, {
          rollbackOf: { releaseId: 'rx', version: 'v1.3.0', requestedBy: 'U3' },
        }),
      ],
    },
    {
      name: 'not another environment',
      others: [release('ra', 'v1.3.0', 'succeeded', T0 + MIN, { environment: 'staging' })],
    },
    {
      name: 'the newest of several',
      others: [
        release('ra', 'v1.3.0', 'succeeded', T0 + MIN),
        release('rb', 'v1.4.0', 'queued', T0 + 2 * MIN),
      ],
      newer: 'rb',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(supersedingRelease(queued, c.others)?.id, c.newer));
  }
});
