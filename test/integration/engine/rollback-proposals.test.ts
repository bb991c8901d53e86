import assert from 'node:assert/strict';
import { Queue } from 'bullmq';
import { DeploybotError } from '../../../src/domain/errors';
import type { Release } from '../../../src/domain/release';
import type { FollowUp } from '../../../src/ports/follow-ups';
import { FOLLOW_UP_QUEUE_NAME, followUpJobId } from '../../../src/queue/bullmq-follow-ups';
import { rollbackMessage } from '../../../src/slack/blocks/rollback-message';
import { EngineHarness } from '../../support/engine-harness';
import { testConfig } from '../../support/test-config';

const CLUSTER = 'social-analytics-cluster';

/** Rejects with a DeploybotError of `code`; returns it for more checks. */
async function refusal(promise: Promise<unknown>, code: string): Promise<DeploybotError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DeploybotError, String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a refusal with code ${code}`);
}

describe('rollback proposals that cannot go stale (real Redis and BullMQ)', function () {
  this.timeout(30_000);
  let h: EngineHarness;

  afterEach(async () => {
    await h.close();
  });

  async function shipped(version: string): Promise<Release> {
    for (const repo of ['backend', 'worker']) h.cloud.images.add(`${repo}:${version}`);
    const release = await h.release(version, 'production', 'hotfix');
    const done = await h.waitForEnd(release.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    return done;
  }

  async function proposeByHand(): Promise<Release> {
    return h.engine.service.proposeRollback({ app: 'backend', environment: 'production', requestedBy: 'U1' });
  }

  async function auditCount(action: string): Promise<number> {
    const entries = await h.engine.audit.recent(500, { app: 'backend' });
    return entries.filter((e) => e.action === action).length;
  }

  function messageOf(release: Release): string {
    return JSON.stringify(rollbackMessage({ release, approvers: ['U0APPROVER'], now: Date.now() }));
  }

  function primaryOf(service: string): string | undefined {
    return h.cloud.services.get(service)?.deployments[0]?.taskDefinition;
  }

  describe('with the default configuration', () => {
    beforeEach(() => {
      h = new EngineHarness();
    });

    it('records the revisions the services run and the newest release when proposing', async () => {
      const release = await shipped('v1.2.0');
      const proposal = await proposeByHand();
      assert.deepEqual(proposal.proposal?.expects, release.facts.targetTaskDefinitions);
      assert.match(proposal.proposal?.expects['backend-service'] ?? '', /backend:8$/);
      assert.equal(proposal.proposal?.newestReleaseId, release.id);
    });

    it('refuses an approval after a newer release started: superseded, ECS untouched, proposal closed once', async () => {
      await shipped('v1.2.0');
      const proposal = await proposeByHand();
      const newer = await shipped('v1.3.0');
      const updates = h.cloud.sideEffects().updateService ?? 0;

      const error = await refusal(h.engine.service.approveRollback(proposal.id, 'U0APPROVER'), 'superseded');
      assert.match(
        error.message,
        new RegExp(
          `superseded by v1\\.3\\.0 \\(${newer.id}\\): backend-service now runs backend:9, not backend:8`,
        ),
      );
      assert.equal(h.cloud.sideEffects().updateService, updates, 'UpdateService is never called');
      assert.match(primaryOf('backend-service') ?? '', /backend:9$/);

      const closed = await h.engine.store.get(proposal.id);
      assert.equal(closed?.state, 'cancelled');
      assert.equal(closed?.startedBy, undefined);
      assert.equal(closed?.proposal?.closed?.how, 'superseded');
      assert.equal((await h.engine.store.get(newer.id))?.rolledBackBy, undefined);
      assert.match(messageOf(closed as Release), /Superseded by v1\.3\.0/);
      assert.doesNotMatch(messageOf(closed as Release), /rollback_approve/, 'the buttons are gone');
      assert.ok(h.chat.events.some((e) => e.kind === 'finished' && e.releaseId === proposal.id));

      // A second click is refused the same way, and the closing is audited once.
      await refusal(h.engine.service.approveRollback(proposal.id, 'U0APPROVER'), 'superseded');
      assert.equal(await auditCount('rollback.superseded'), 1);
      assert.equal(await auditCount('rollback.approved'), 0);
    });

    it('refuses an approval after the services were changed outside deploybot', async () => {
      const release = await shipped('v1.2.0');
      const proposal = await proposeByHand();
      const current = release.facts.targetTaskDefinitions['backend-service'] as string;
      const manual = await h.cloud.registerImageRevision({
        from: current,
        images: { backend: 'backend:hotpatch' },
        releaseId: 'by-hand',
      });
      await h.cloud.updateService(CLUSTER, 'backend-service', manual.arn);
      const updates = h.cloud.sideEffects().updateService ?? 0;

      const error = await refusal(h.engine.service.approveRollback(proposal.id, 'U0APPROVER'), 'superseded');
      assert.match(error.message, /superseded: backend-service now runs backend:9, not backend:8/);
      assert.doesNotMatch(error.message, /worker-service/, 'the unchanged service is not named');
      assert.equal(h.cloud.sideEffects().updateService, updates);
      assert.equal((await h.engine.store.get(release.id))?.rolledBackBy, undefined);
      assert.equal((await h.engine.store.get(proposal.id))?.state, 'cancelled');
    });

    it('refuses a migration rollback after a newer release started, without asking ECS about services', async () => {
      await shipped('v1.2.0');
      const downgrade = await h.engine.service.proposeRollback({
        app: 'backend',
        environment: 'production',
        requestedBy: 'U1',
        database: 'downgrade',
      });
      assert.deepEqual(downgrade.proposal?.expects, {});
      await shipped('v1.3.0');
      const described = h.cloud.calls.describeServices ?? 0;
      const tasks = h.cloud.sideEffects().runTask;
      const error = await refusal(h.engine.service.approveRollback(downgrade.id, 'U0APPROVER'), 'superseded');
      assert.match(error.message, /superseded by v1\.3\.0 \(r\S+\), started since this proposal/);
      assert.equal(h.cloud.calls.describeServices ?? 0, described);
      assert.equal(h.cloud.sideEffects().runTask, tasks, 'no downgrade task ran');
    });

    it('turns five concurrent approvals into one rollback and one audit entry of each kind', async () => {
      const release = await shipped('v1.2.0');
      const proposal = await proposeByHand();
      const updates = h.cloud.sideEffects().updateService ?? 0;

      const clicks = await Promise.allSettled(
        ['U0APPROVER', 'U2', 'U3', 'U4', 'U5'].map((by) => h.engine.service.approveRollback(proposal.id, by)),
      );
      const won = clicks.filter((c) => c.status === 'fulfilled');
      const lost = clicks.filter((c): c is PromiseRejectedResult => c.status === 'rejected');
      assert.equal(won.length, 1, JSON.stringify(lost.map((c) => String(c.reason))));
      for (const c of lost) {
        assert.ok(c.reason instanceof DeploybotError);
        assert.equal(c.reason.code, 'already_decided', c.reason.message);
      }

      const done = await h.waitForEnd(proposal.id);
      assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
      assert.equal(h.cloud.sideEffects().updateService, updates + 2, 'one rollout per service');
      assert.match(primaryOf('backend-service') ?? '', /backend:7$/);
      assert.equal(await auditCount('rollback.approved'), 1);
      assert.equal(await auditCount('release.rolled_back'), 1);
      assert.equal(await auditCount('release.started'), 2, 'the release and its one rollback');
      assert.equal((await h.engine.store.get(release.id))?.rolledBackBy, proposal.id);
    });

    it('withdraws an automatic proposal in place, once, and refuses approving it afterwards', async () => {
      const release = await shipped('v1.2.0');
      const proposal = await h.engine.service.proposeRollback({
        app: 'backend',
        environment: 'production',
        requestedBy: 'deploybot',
        reason: 'error-rate: 5xx 6.1 % of 1,204 requests',
        releaseId: release.id,
      });
      const reason = 'the release stayed healthy after 15m; nothing to roll back';
      const withdrawn = await h.engine.service.withdrawProposal(proposal.id, reason);
      assert.equal(withdrawn.state, 'cancelled');
      assert.deepEqual(
        { how: withdrawn.proposal?.closed?.how, text: withdrawn.proposal?.closed?.text },
        { how: 'withdrawn', text: `withdrawn: ${reason}` },
      );
      const message = messageOf(withdrawn);
      assert.match(message, /Withdrawn: the release stayed healthy after 15m; nothing to roll back/);
      assert.match(message, /Monitoring saw:\* error-rate/, 'the proposal keeps its text');
      assert.doesNotMatch(message, /rollback_approve|rollback_reject/);

      await h.engine.service.withdrawProposal(proposal.id, reason);
      assert.equal(await auditCount('rollback.withdrawn'), 1, 'withdrawing twice is one withdrawal');
      await refusal(h.engine.service.approveRollback(proposal.id, 'U0APPROVER'), 'withdrawn');
      assert.equal((await h.engine.store.get(release.id))?.rolledBackBy, undefined);
    });

    it('leaves an approved proposal alone when asked to withdraw or expire it', async () => {
      await shipped('v1.2.0');
      const proposal = await proposeByHand();
      await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
      const after = await h.engine.service.withdrawProposal(proposal.id, 'too late');
      assert.notEqual(after.state, 'cancelled');
      assert.equal(after.proposal?.closed, undefined);
      await h.engine.service.expireProposal(proposal.id, 60_000);
      assert.equal((await h.waitForEnd(proposal.id)).state, 'succeeded');
      assert.equal(await auditCount('rollback.withdrawn'), 0);
      assert.equal(await auditCount('rollback.expired'), 0);
    });
  });

  describe('with a short proposal lifetime', () => {
    beforeEach(() => {
      const config = testConfig();
      config.apps.backend!.environments.production!.rollback.proposalTtl = 150;
      h = new EngineHarness(config);
    });

    it('expires a proposal made by hand through its delayed job, and schedules none for monitoring’s', async () => {
      const release = await shipped('v1.2.0');
      const byHand = await proposeByHand();
      const expired = await h.waitFor(byHand.id, (r) => r.state !== 'awaiting_start');
      assert.equal(expired.state, 'cancelled');
      assert.equal(expired.proposal?.closed?.text, 'expired: nobody decided within 150ms');
      assert.match(messageOf(expired), /Expired: nobody decided within 150ms/);
      assert.equal(await auditCount('rollback.expired'), 1);
      await refusal(h.engine.service.approveRollback(byHand.id, 'U0APPROVER'), 'expired');

      const automatic = await h.engine.service.proposeRollback({
        app: 'backend',
        environment: 'production',
        requestedBy: 'deploybot',
        reason: 'error-rate',
        releaseId: release.id,
      });
      const queue = new Queue<FollowUp>(FOLLOW_UP_QUEUE_NAME, {
        connection: h.client,
        prefix: `${h.prefix}:bull`,
      });
      try {
        const expiry = (id: string) =>
          followUpJobId({ releaseId: id, kind: 'expire-proposal', afterMs: 150 });
        assert.ok(await queue.getJob(expiry(byHand.id)), 'the manual proposal had its expiry job');
        assert.equal(await queue.getJob(expiry(automatic.id)), undefined, 'monitoring withdraws its own');
      } finally {
        await queue.close();
      }
    });
  });
});
