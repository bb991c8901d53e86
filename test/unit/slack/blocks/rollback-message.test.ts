import assert from 'node:assert/strict';
import { planDatabaseRollbackSteps, planRollbackSteps } from '../../../../src/domain/plan';
import type { DatabaseRollback, ProposalClosing, Release } from '../../../../src/domain/release';
import {
  APPROVE_ROLLBACK_ACTION,
  CONFIRM_RESTORE_ACTION,
  REJECT_ROLLBACK_ACTION,
  rollbackMessage,
} from '../../../../src/slack/blocks/rollback-message';
import { releaseFinishedMessage } from '../../../../src/slack/blocks/thread-messages';
import { T0, aRelease, allText, assertWithinLimits, buttons } from './fixtures';

const REVERTED = 'r20261127t171340-3f9a';
const TD_NEW = 'arn:aws:ecs:us-east-1:123456789012:task-definition/backend:8';
const TD_OLD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/backend:7';

function aRollback(database?: DatabaseRollback, overrides: Partial<Release> = {}): Release {
  return aRelease({
    id: 'r20261127t180000-beef',
    requestedBy: 'deploybot',
    type: 'hotfix',
    steps: database ? planDatabaseRollbackSteps(database.action) : planRollbackSteps(),
    facts: {
      previousTaskDefinitions: {},
      targetTaskDefinitions: { 'backend-service': database ? TD_NEW : TD_OLD },
    },
    rollbackOf: {
      releaseId: REVERTED,
      version: 'v1.2.0',
      requestedBy: 'U0DEPLOYER',
      reason: 'error-rate: 5xx rate 8.0% > 5.0% in 2 consecutive samples',
      ...(database ? { database } : {}),
    },
    ...overrides,
  });
}

const view = (release: Release) => ({
  release,
  approvers: ['U0APPROVER', 'S0SRE'],
  now: T0 + 60_000,
  rollbackCommand: 'alembic downgrade -1',
  liveDatabase: 'social-analytics-db',
});

const actionIds = (release: Release) =>
  buttons(rollbackMessage(view(release))).map((b) => b.action_id as string);

describe('rollbackMessage', () => {
  it('proposes pointing services back, with Approve (confirmed) and Keep running', () => {
    const message = rollbackMessage(view(aRollback()));
    assertWithinLimits(message);
    assert.deepEqual(actionIds(aRollback()), [APPROVE_ROLLBACK_ACTION, REJECT_ROLLBACK_ACTION]);
    assert.ok(buttons(message)[0]?.confirm, 'approve asks for confirmation');
    const text = allText(message);
    assert.match(text, /Rollback of backend v1\.2\.0 → production/);
    assert.match(text, /State:\* 🗳️ awaiting approval/);
    assert.equal(message.text, 'Rollback of backend v1.2.0 → production: awaiting approval');
    assert.match(text, /backend:7/);
    assert.match(text, /<@U0APPROVER> <!subteam\^S0SRE>/);
  });

  describe('a migration rollback', () => {
    const downgrade = aRollback({ action: 'downgrade' });

    it('says which command runs with which task definition, and that services are not touched', () => {
      const message = rollbackMessage(view(downgrade));
      assertWithinLimits(message);
      const text = allText(message);
      assert.match(text, /Migration rollback of backend v1\.2\.0 → production/);
      assert.match(text, /alembic downgrade -1/);
      assert.match(text, /v1\.2\.0's task definition `backend:8`/);
      assert.doesNotMatch(text, /image/);
      assert.match(text, /services are not touched/);
      assert.deepEqual(actionIds(downgrade), [APPROVE_ROLLBACK_ACTION, REJECT_ROLLBACK_ACTION]);
      assert.ok(buttons(message)[0]?.confirm);
    });

    it('shows who approved, the step and its outcome once it ran', () => {
      const ran = aRollback(
        { action: 'downgrade' },
        {
          state: 'succeeded',
          startedBy: 'U0APPROVER',
          startedAt: T0,
          endedAt: T0 + 12_000,
          steps: [
            {
              name: 'migrate_down',
              state: 'succeeded',
              runs: 1,
              progress: {},
              startedAt: T0,
              finishedAt: T0 + 12_000,
              summary: '`alembic downgrade -1` exited 0',
            },
          ],
        },
      );
      const message = rollbackMessage(view(ran));
      assertWithinLimits(message);
      assert.deepEqual(buttons(message), []);
      assert.match(allText(message), /Approved by <@U0APPROVER>/);
      assert.match(allText(message), /✅ succeeded · \*migrate_down\* 12s/);
      assert.match(allText(message), /✅ Finished in 12s: `alembic downgrade -1` exited 0/);
      assert.equal(
        message.text,
        'Migration rollback of backend v1.2.0 → production: finished in 12s: `alembic downgrade -1` exited 0',
      );
    });
  });

  describe('a snapshot restore', () => {
    const plan: DatabaseRollback = {
      action: 'restore',
      snapshotId: `deploybot-${REVERTED}`,
      restoreInto: 'social-analytics-db-rollback-20261127t180000-beef',
    };

    it('first asks for a first confirmation, naming the new database and the untouched live one', () => {
      const message = rollbackMessage(view(aRollback(plan)));
      assertWithinLimits(message);
      const text = allText(message);
      assert.match(text, /Snapshot restore .* \(last resort\)/);
      assert.match(text, /deploybot-r20261127t171340-3f9a/);
      assert.match(text, /new\* database `social-analytics-db-rollback-20261127t180000-beef`/);
      assert.match(text, /`social-analytics-db` is not modified/);
      assert.match(text, /two confirmations/);
      assert.deepEqual(actionIds(aRollback(plan)), [APPROVE_ROLLBACK_ACTION, REJECT_ROLLBACK_ACTION]);
    });

    it('then asks for the second with its own button, so a double click is not both', () => {
      const confirmed = aRollback({ ...plan, confirmedBy: { by: 'U0APPROVER', at: T0 } });
      const message = rollbackMessage(view(confirmed));
      assertWithinLimits(message);
      assert.deepEqual(actionIds(confirmed), [CONFIRM_RESTORE_ACTION, REJECT_ROLLBACK_ACTION]);
      assert.match(allText(message), /First confirmation by <@U0APPROVER>/);
      assert.match(allText(message), /State:\* 🗳️ awaiting second confirmation/);
      assert.equal(
        message.text,
        'Snapshot restore of backend v1.2.0 → production: awaiting second confirmation (first by <@U0APPROVER>)',
      );
      assert.ok(buttons(message)[0]?.confirm, 'the second confirmation has its own dialog');
    });

    it('stays within Block Kit limits with the longest names RDS allows', () => {
      const long = aRollback(
        {
          ...plan,
          snapshotId: `s${'n'.repeat(254)}`,
          restoreInto: `d${'x'.repeat(62)}`,
          confirmedBy: { by: 'U1', at: T0 },
        },
        { app: 'a'.repeat(200), environment: 'e'.repeat(200) },
      );
      assertWithinLimits(rollbackMessage({ ...view(long), liveDatabase: 'l'.repeat(63) }));
    });
  });
});

describe('a proposal closed undecided', () => {
  const CLOSINGS: [ProposalClosing['how'], string, RegExp][] = [
    [
      'superseded',
      'superseded by v1.3.0 (r20261127t190000-aaaa): backend-service now runs backend:9, not backend:8',
      /⏭️ \*Superseded by v1\.3\.0 \(r20261127t190000-aaaa\): backend-service now runs backend:9, not backend:8\* \(<!date\^1795799680\^\{time\}\|17:14 UTC>\)\. Nothing was changed\./,
    ],
    [
      'withdrawn',
      'withdrawn: the release stayed healthy after 15m; nothing to roll back',
      /↪️ \*Withdrawn: the release stayed healthy after 15m; nothing to roll back\*/,
    ],
    [
      'expired',
      'expired: nobody decided within 30m 00s',
      /⌛ \*Expired: nobody decided within 30m 00s\*.*\/rollback/,
    ],
  ];
  const closed = (how: ProposalClosing['how'], text: string, database?: DatabaseRollback) =>
    aRollback(database, {
      state: 'cancelled',
      cancelledBy: 'deploybot',
      endedAt: T0 + 60_000,
      proposal: { expects: {}, closed: { how, text, at: T0 + 60_000 } },
    });

  for (const [how, text, says] of CLOSINGS) {
    it(`says it was ${how} and why, keeps its text, and has no buttons`, () => {
      const message = rollbackMessage(view(closed(how, text)));
      assert.match(allText(message), says);
      assert.match(allText(message), /Monitoring saw:/, 'the proposal keeps its text');
      assert.deepEqual(buttons(message), []);
      assert.doesNotMatch(allText(message), /Cancelled by|Kept running/, 'not read as someone’s no');
      assert.equal(message.text, `Rollback of backend v1.2.0 → production: ${text}`);
      assert.match(allText(message), new RegExp(`State:\\* \\S+ ${how}`));
      assertWithinLimits(message);
    });
  }

  it('reads the same way for a database rollback', () => {
    const message = rollbackMessage(
      view(closed('withdrawn', 'withdrawn: not needed', { action: 'downgrade' })),
    );
    assert.match(allText(message), /Withdrawn: not needed/);
    assert.deepEqual(buttons(message), []);
  });

  it('says so in the thread instead of "cancelled by deploybot", without listing steps that never ran', () => {
    const message = releaseFinishedMessage(closed('superseded', CLOSINGS[0]![1]), T0 + 60_000);
    assert.match(allText(message), /Rollback of .*: ⏭️ \*Superseded by v1\.3\.0/);
    assert.doesNotMatch(allText(message), /cancelled by|⬜/i, 'no steps listed as pending');
    assert.match(message.text, /^Rollback of backend v1\.2\.0 → production: superseded by v1\.3\.0/);
  });

  it('stays within Block Kit limits with a very long reason', () => {
    assertWithinLimits(rollbackMessage(view(closed('superseded', `superseded: ${'x'.repeat(5000)}`))));
  });

  it('drops the buttons once an approval has claimed the decision, before the start is written', () => {
    const claimed = aRollback(undefined, {
      proposal: { expects: {}, approvedBy: { by: 'U0APPROVER', at: T0 } },
    });
    const message = rollbackMessage(view(claimed));
    assert.deepEqual(buttons(message), []);
    assert.match(
      allText(message),
      /Approved by <@U0APPROVER> at <!date\^\d+\^\{time\}\|17:13 UTC>; starting…/,
    );
    assert.equal(
      message.text,
      'Rollback of backend v1.2.0 → production: approved by <@U0APPROVER>, starting',
    );
  });
});
