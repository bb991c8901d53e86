import assert from 'node:assert/strict';
import { renderDeploymentLog } from '../../../src/cli/deployment-log-text';
import { deploymentLog, type AuditRecord } from '../../../src/domain/deployment-log';
import { planSteps } from '../../../src/domain/plan';
import type { Release } from '../../../src/domain/release';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

function release(overrides: Partial<Release> = {}): Release {
  return {
    id: 'r20261127t090000-aaaa',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'cli:alice',
    state: 'succeeded',
    createdAt: T0,
    updatedAt: T0,
    startedAt: T0 + 60_000,
    startedBy: 'cli:alice',
    endedAt: T0 + 660_000,
    revision: 1,
    steps: planSteps('minor', { hasDatabase: false, hasMigration: false }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

describe('renderDeploymentLog', () => {
  it('prints the summary, each step, and every event of the timeline, however many', () => {
    const audit: AuditRecord[] = Array.from({ length: 1000 }, (_, i) => ({
      at: T0 + 1000 + i,
      actor: `U${i}`,
      action: 'refused.tick',
      detail: 'not a deployer',
    }));
    const text = renderDeploymentLog(deploymentLog(release(), [], audit));
    const lines = text.split('\n');
    assert.equal(lines[0], 'r20261127t090000-aaaa  backend/production  v1.2.0 (minor)  succeeded');
    assert.ok(lines.includes('  requested by cli:alice at 2026-11-27 09:00:00Z'));
    assert.ok(lines.includes('  ended at 2026-11-27 09:11:00Z (took 10m 00s)'));
    assert.ok(lines.includes('  preflight    pending'), 'no trailing spaces');
    assert.equal(lines.filter((l) => l.endsWith('refused tick: not a deployer')).length, 1000);
  });

  it('shows control characters people typed as ?, so a review answer cannot drive the terminal', () => {
    const review = {
      by: 'U0ALICE',
      at: T0 + 3_600_000,
      wentWell: 'fine\u001b[2J\u001b]0;owned\u0007',
      couldImprove: 'two\nlines',
      unexpectedIssues: '',
      followUpActions: '',
    };
    const text = renderDeploymentLog(deploymentLog(release({ review }), [], []));
    assert.ok(
      ![...text].some((c) => c !== '\n' && c.charCodeAt(0) < 0x20),
      'no control character but line breaks',
    );
    assert.match(text, /went well: fine\?\[2J\?\]0;owned\?/);
    assert.match(text, /could improve: two lines/);
  });
});
