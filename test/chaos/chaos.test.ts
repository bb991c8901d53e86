import assert from 'node:assert/strict';
import type { Release, StepName } from '../../src/domain/release';
import { STORE_UNREACHABLE_TEXT } from '../../src/redis/store-outage';
import { ChaosCluster } from '../support/chaos-cluster';
import { APPROVERS, REQUESTER } from '../support/chaos-config';
import { redisOutage, type Outage } from '../support/chaos-outage';
import {
  requestRelease,
  sideEffectsOf,
  tickAndStart,
  waitForEnd,
  waitForRuns,
} from '../support/chaos-release';
import { elements, textOf } from '../support/chaos-slack';
import { killDuringStep, type Takeover } from '../support/chaos-takeover';
import { waitUntil } from '../support/chaos-wait';

/** The budgets (issue 9, "Done when"). */
const TAKEOVER_BUDGET_MS = 15_000;
const READY_BUDGET_MS = 1_000;
const SLASH_BUDGET_MS = 3_000;
const OUTAGE_MS = 10_000;

const VERSIONS = {
  replay: 'v2.0.1',
  kills: 'v2.0.2',
  outageDeploy: 'v2.0.3',
  outageMonitor: 'v2.0.4',
  webKill: 'v2.0.5',
  /** Typed during the outages, for staging (idle, its own lock): a working bot would start them. */
  duringOutage: ['v2.0.8', 'v2.0.9'],
} as const;

/**
 * deploybot under faults, as an operator meets them: one web and two worker
 * processes (`node src/main.ts`) on one Redis, the AWS emulator, the fake Slack
 * and a service with users, all over real HTTP. Workers are SIGKILLed in the
 * middle of each step (the one holding the step's job, frozen on its AWS call),
 * Redis is stopped mid-deploy and mid-monitoring, approvers click at once, and
 * a captured click is replayed. One cluster serves every case, in order.
 */
describe('chaos: web and two worker processes on one Redis, the AWS emulator and the fake Slack', function () {
  this.timeout(240_000);
  let cluster: ChaosCluster;
  const takeovers: Takeover[] = [];
  const outages: Record<string, unknown>[] = [];

  before(async function () {
    this.timeout(120_000);
    cluster = await ChaosCluster.start({
      tags: [
        VERSIONS.replay,
        VERSIONS.kills,
        VERSIONS.outageDeploy,
        VERSIONS.outageMonitor,
        VERSIONS.webKill,
        ...VERSIONS.duringOutage,
      ],
    });
  });

  after(async function () {
    this.timeout(60_000);
    // The figures behind the budgets, for whoever reads the run.
    if (takeovers.length > 0) console.table(takeovers);
    if (outages.length > 0) console.table(outages);
    await cluster?.stop();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && cluster) console.log(cluster.logs(40));
  });

  // Mocha runs a suite's own tests before its nested suites: every case is a suite, so they run in this order.
  describe('a replayed click', () => {
    it('a replayed checkbox tick (the same request re-sent after an untick) has no second effect', async () => {
      const { release } = await requestRelease(cluster, VERSIONS.replay);
      const checklist = async () => (await cluster.store.get(release.id))?.checklist ?? {};
      const message = () =>
        cluster.chat.releaseMessage(VERSIONS.replay) as NonNullable<
          ReturnType<typeof cluster.chat.releaseMessage>
        >;

      const tick = await cluster.chat.select(REQUESTER, message(), 'changelog', ['changelog']);
      await waitUntil('changelog ticked', async () => 'changelog' in (await checklist()), {
        timeoutMs: 10_000,
      });
      await cluster.chat.select(REQUESTER, message(), 'changelog', []);
      await waitUntil('changelog unticked', async () => !('changelog' in (await checklist())), {
        timeoutMs: 10_000,
      });

      const replayed = await cluster.chat.replay(tick);
      assert.ok(replayed.status > 0 && replayed.status < 500, `the replay answered ${replayed.status}`);
      // A later, genuine tick in the same group: once it shows, the replay (sent before it) was handled too.
      await cluster.chat.select(REQUESTER, message(), 'runbook', ['runbook']);
      await waitUntil('runbook ticked', async () => 'runbook' in (await checklist()), { timeoutMs: 10_000 });

      assert.ok(!('changelog' in (await checklist())), 'the replayed tick re-ticked changelog');
      const ticks = (await cluster.audit.recent(200, { releaseId: release.id })).filter(
        (e) => e.action === 'checklist.tick' && /\+changelog/.test(e.detail ?? ''),
      );
      assert.equal(ticks.length, 1, `changelog ticked ${ticks.length} times: ${JSON.stringify(ticks)}`);

      await cluster.chat.click(REQUESTER, message(), 'release_cancel');
      await waitForEnd(cluster, release.id, 30_000);
    });
  });

  describe('a worker SIGKILLed in the middle of each step', () => {
    let release: Release;
    // Armed before Start: the first call of each kind, from whichever worker runs the step, is held.
    const held: Partial<Record<StepName, ReturnType<ChaosCluster['gate']['holdNext']>>> = {};

    before(async function () {
      this.timeout(120_000);
      await requestRelease(cluster, VERSIONS.kills);
      const fromWorker = (process: string) => process.startsWith('worker-');
      held.backup = cluster.gate.holdNext((c) => fromWorker(c.process) && c.action === 'CreateDBSnapshot');
      held.migrate = cluster.gate.holdNext((c) => fromWorker(c.process) && c.action === 'RunTask');
      held.deploy = cluster.gate.holdNext((c) => fromWorker(c.process) && c.action === 'UpdateService');
      release = await tickAndStart(cluster, VERSIONS.kills);
    });

    after(() => cluster?.gate.disarm());

    for (const step of ['backup', 'migrate', 'deploy', 'monitor'] as const) {
      it(`during ${step}: another worker runs the step again within 15 s of the kill`, async () => {
        if (step === 'monitor') {
          // In the middle of the window: the next call of any worker is a sample of this release.
          await waitForRuns(cluster, release.id, 'monitor', 2);
          held.monitor = cluster.gate.holdNext((c) => c.process.startsWith('worker-'));
        }
        const takeover = await killDuringStep(cluster, release.id, step, held[step] as Promise<never>);
        takeovers.push(takeover);
        assert.equal(takeover.jobState, 'active', `the killed worker held ${step}'s job`);
        assert.ok(
          takeover.takeoverMs !== undefined,
          `no other worker ran ${step} again within 150 s of killing ${takeover.killed}`,
        );
        assert.ok(
          takeover.takeoverMs <= TAKEOVER_BUDGET_MS,
          `${step} was taken over ${(takeover.takeoverMs / 1000).toFixed(1)} s after ${takeover.killed} was killed (budget 15 s)`,
        );
        assert.equal(cluster.workers.length, 2, 'two workers run again');
      });
    }

    it('the release completes, with one snapshot, one migration task, one UpdateService per service, one parent message', async () => {
      const ended = await waitForEnd(cluster, release.id);
      assert.equal(ended.state, 'succeeded', JSON.stringify(ended.failure));
      assert.deepEqual(sideEffectsOf(cluster, ended), {
        snapshots: 1,
        migrationTasks: 1,
        updatesByService: { 'backend-service': 1, 'worker-service': 1 },
        parentMessages: 1,
      });
    });
  });

  describe('the web process SIGKILLed', () => {
    it('mid-deploy: the workers finish the release without it, and a new web process answers', async () => {
      await requestRelease(cluster, VERSIONS.webKill);
      const started = await tickAndStart(cluster, VERSIONS.webKill);
      await waitUntil(
        'the first UpdateService of the rollout',
        () => cluster.gate.succeeded('UpdateService', started.startedAt ?? started.createdAt)[0],
        { timeoutMs: 90_000, everyMs: 20, context: () => cluster.logs(20) },
      );
      const web = cluster.web;
      await cluster.kill(web);
      const ended = await waitForEnd(cluster, started.id);
      assert.equal(ended.state, 'succeeded', JSON.stringify(ended.failure));
      assert.equal(cluster.workers.length, 2, 'the workers kept running');
      assert.deepEqual(sideEffectsOf(cluster, ended), {
        snapshots: 1,
        migrationTasks: 1,
        updatesByService: { 'backend-service': 1, 'worker-service': 1 },
        parentMessages: 1,
      });

      await cluster.restartWeb();
      const status = await cluster.chat.command(REQUESTER, 'history backend production');
      assert.equal(status.status, 200);
      const answer = await waitUntil(
        'the new web process answering /deploy history',
        () => cluster.chat.responsesTo(status.responseUrl)[0],
        { timeoutMs: 10_000 },
      );
      assert.match(JSON.stringify(answer), new RegExp(VERSIONS.webKill.replace(/\./g, '\\.')));
    });
  });

  describe('Redis stopped for 10 s', () => {
    for (const [when, version, staging] of [
      ['mid-deploy', VERSIONS.outageDeploy, VERSIONS.duringOutage[0]],
      ['mid-monitoring', VERSIONS.outageMonitor, VERSIONS.duringOutage[1]],
    ] as const) {
      it(`${when}: the release completes, /readyz answers 503 at once, a slash command gets the outage text within 3 s and starts nothing`, async () => {
        await requestRelease(cluster, version);
        const started = await tickAndStart(cluster, version);
        if (when === 'mid-deploy') {
          await waitUntil(
            'the first UpdateService of the rollout',
            () => cluster.gate.succeeded('UpdateService', started.startedAt ?? started.createdAt)[0],
            { timeoutMs: 90_000, everyMs: 20, context: () => cluster.logs(20) },
          );
        } else {
          await waitForRuns(cluster, started.id, 'monitor', 2);
        }
        const outage = await redisOutage(cluster, {
          durationMs: OUTAGE_MS,
          user: REQUESTER,
          commandText: `${staging} backend staging --type hotfix`,
        });

        outages.push({
          when,
          readyz: outage.probes.map((p) => `${p.process}@${p.offsetMs}:${p.status}/${p.ms}ms`).join(' '),
          command: `HTTP ${outage.command.sent.status} in ${outage.command.sent.answeredAt - outage.command.sent.sentAt} ms`,
          outageText:
            outage.command.replyMs === undefined
              ? 'never'
              : `${outage.command.replyMs} ms via ${outage.command.via}`,
        });
        const ended = await waitForEnd(cluster, started.id);
        assert.equal(ended.state, 'succeeded', JSON.stringify(ended.failure));
        assert.deepEqual(sideEffectsOf(cluster, ended), {
          snapshots: 1,
          migrationTasks: 1,
          updatesByService: { 'backend-service': 1, 'worker-service': 1 },
          parentMessages: 1,
        });
        assertReadyProbes(outage);
        assertOutageReply(outage);
        // Nothing started, then or once Redis was back: no release, no message, no second answer.
        assert.equal(await cluster.releaseOf(staging, 'staging'), undefined, `a ${staging} release exists`);
        assert.ok(
          !cluster.chat.everything().some((m) => textOf(m).includes(staging)),
          `${staging} was posted`,
        );
        const answers = cluster.chat.responsesTo(outage.command.sent.responseUrl);
        assert.ok(
          answers.every((a) => String(a.text ?? '').includes(STORE_UNREACHABLE_TEXT)),
          `later answers to the command: ${JSON.stringify(answers)}`,
        );
      });
    }
  });

  // Last: a rollback leaves a manual lock on production.
  describe('concurrent approvals', () => {
    it('five concurrent approvals of a rollback proposal: one rollback, one UpdateService back per service, one audit entry of each kind', async () => {
      const reverted = await cluster.releaseOf(VERSIONS.outageMonitor);
      assert.ok(reverted?.state === 'succeeded', 'the previous case left a finished release to roll back');
      const asked = await cluster.chat.command(REQUESTER, 'backend production', '/rollback');
      assert.equal(asked.status, 200);
      const proposal = await waitUntil(
        'the rollback proposal',
        () =>
          cluster.chat
            .everything()
            .find((m) => elements(m).some((e) => e.element.action_id === 'rollback_approve')),
        { timeoutMs: 30_000, context: () => cluster.logs(20) },
      );
      const clickedAt = Date.now();
      const clicks = await Promise.all(
        [0, 1, 2, 3, 4].map((i) =>
          cluster.chat.click(APPROVERS[i % 2] as string, proposal, 'rollback_approve'),
        ),
      );
      assert.deepEqual(
        clicks.map((c) => c.status),
        [200, 200, 200, 200, 200],
      );
      const rollback = await waitUntil(
        'the rollback release',
        async () =>
          (await cluster.store.history('backend', { environment: 'production', limit: 50 })).find(
            (r) => r.rollbackOf?.releaseId === reverted.id && r.state !== 'awaiting_start',
          ),
        { timeoutMs: 30_000, context: () => cluster.logs(20) },
      );
      const ended = await waitForEnd(cluster, rollback.id);
      assert.equal(ended.state, 'succeeded', JSON.stringify(ended.failure));

      // The services' rollback, not the database rollback offered after it.
      const rollbacks = (await cluster.store.history('backend', { limit: 50 })).filter(
        (r) => r.rollbackOf?.releaseId === reverted.id && !r.rollbackOf.database && r.startedAt !== undefined,
      );
      assert.equal(rollbacks.length, 1, `rollbacks started: ${rollbacks.map((r) => r.id).join(', ')}`);
      const updates: Record<string, number> = {};
      for (const call of cluster.gate.succeeded('UpdateService', clickedAt))
        updates[call.params.service ?? '?'] = (updates[call.params.service ?? '?'] ?? 0) + 1;
      assert.deepEqual(updates, { 'backend-service': 1, 'worker-service': 1 });
      const audit = await cluster.audit.recent(500, { app: 'backend' });
      const approved = audit.filter((e) => e.action === 'rollback.approved' && e.releaseId === rollback.id);
      const rolledBack = audit.filter(
        (e) => e.action === 'release.rolled_back' && e.releaseId === reverted.id,
      );
      assert.equal(approved.length, 1, `rollback.approved written ${approved.length} times`);
      assert.equal(rolledBack.length, 1, `release.rolled_back written ${rolledBack.length} times`);
    });
  });
});

function assertReadyProbes(outage: Outage): void {
  const slow = outage.probes.filter((p) => p.status !== 503 || p.ms > READY_BUDGET_MS);
  assert.deepEqual(
    slow,
    [],
    `every /readyz during the outage must answer 503 within 1 s; these did not: ${JSON.stringify(slow)}`,
  );
}

function assertOutageReply(outage: Outage): void {
  const { command } = outage;
  assert.ok(
    command.replyMs !== undefined,
    `no outage text for the slash command (HTTP ${command.sent.status} after ${command.sent.answeredAt - command.sent.sentAt} ms, body ${JSON.stringify(command.sent.answer.slice(0, 200))})`,
  );
  assert.ok(
    command.replyMs <= SLASH_BUDGET_MS,
    `the outage text came after ${command.replyMs} ms (budget 3 s)`,
  );
  assert.equal(command.ephemeral, true, 'the outage text is shown only to the person who typed the command');
}
