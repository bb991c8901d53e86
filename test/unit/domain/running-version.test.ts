import assert from 'node:assert/strict';
import type { Release } from '../../../src/domain/release';
import { runningVersion } from '../../../src/domain/running-version';
import { T0, aRelease } from '../slack/blocks/fixtures';

let n = 0;
/** A finished release of backend to production, `minutes` after T0. */
function ended(
  version: string,
  state: Release['state'],
  minutes: number,
  extra: Partial<Release> = {},
): Release {
  n += 1;
  return aRelease({
    id: `r-${n}`,
    version,
    state,
    createdAt: T0 + minutes * 60_000 - 30_000,
    endedAt: T0 + minutes * 60_000,
    ...extra,
  });
}

describe('runningVersion', () => {
  it('is the newest succeeded release, since it ended; failed and cancelled ones changed nothing', () => {
    const v1 = ended('v1.1.0', 'succeeded', 1);
    const v2 = ended('v1.2.0', 'succeeded', 2);
    const history = [ended('v1.4.0', 'cancelled', 4), ended('v1.3.0', 'failed', 3), v2, v1];
    assert.deepEqual(runningVersion(history, 'production'), {
      version: 'v1.2.0',
      since: T0 + 2 * 60_000,
      releaseId: v2.id,
    });
  });

  it('after a succeeded rollback, is the release before the reverted one, since the rollback ended', () => {
    const v1 = ended('v1.2.0', 'succeeded', 1);
    const bad = ended('v1.3.0-bad', 'succeeded', 2);
    const rollback = ended('v1.3.0-bad', 'succeeded', 5, {
      rollbackOf: { releaseId: bad.id, version: 'v1.3.0-bad', requestedBy: 'U0DEPLOYER' },
    });
    const migration = ended('v1.3.0-bad', 'succeeded', 6, {
      rollbackOf: {
        releaseId: bad.id,
        version: 'v1.3.0-bad',
        requestedBy: 'U0DEPLOYER',
        database: { action: 'downgrade' },
      },
    });
    assert.deepEqual(
      runningVersion([migration, rollback, { ...bad, rolledBackBy: rollback.id }, v1], 'production'),
      {
        version: 'v1.2.0',
        since: T0 + 5 * 60_000,
        releaseId: v1.id,
        restoredBy: rollback.id,
      },
    );
  });

  it('a release after the rollback runs, as released; a failed rollback restored nothing', () => {
    const v1 = ended('v1.2.0', 'succeeded', 1);
    const bad = ended('v1.3.0', 'succeeded', 2);
    const failedRollback = ended('v1.3.0', 'failed', 3, {
      rollbackOf: { releaseId: bad.id, version: 'v1.3.0', requestedBy: 'U0DEPLOYER' },
    });
    assert.equal(runningVersion([failedRollback, bad, v1], 'production')?.version, 'v1.3.0');
    const v4 = ended('v1.4.0', 'succeeded', 4);
    const rollback = ended('v1.3.0', 'succeeded', 3, {
      rollbackOf: { releaseId: bad.id, version: 'v1.3.0', requestedBy: 'U0DEPLOYER' },
    });
    assert.deepEqual(runningVersion([v4, rollback, bad, v1], 'production'), {
      version: 'v1.4.0',
      since: T0 + 4 * 60_000,
      releaseId: v4.id,
    });
  });

  it('reads only the environment asked about, and is undefined when nothing there succeeded', () => {
    const staging = ended('v2.0.0', 'succeeded', 9, { environment: 'staging' });
    const production = ended('v1.0.0', 'succeeded', 1);
    assert.equal(runningVersion([staging, production], 'production')?.version, 'v1.0.0');
    assert.equal(runningVersion([staging, production], 'staging')?.version, 'v2.0.0');
    assert.equal(runningVersion([ended('v1.0.0', 'failed', 1)], 'production'), undefined);
  });
});
