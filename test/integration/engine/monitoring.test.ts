import assert from 'node:assert/strict';
import type { Sample } from '../../../src/domain/monitoring';
import { EngineHarness } from '../../support/engine-harness';
import { testConfig } from '../../support/test-config';

/**
 * The monitoring window on real Redis and BullMQ: test config samples every
 * 25 ms over 100 ms, two consecutive bad samples fire a rule.
 */
describe('monitoring window and rollback proposals', () => {
  let h: EngineHarness;

  afterEach(async () => {
    await h.close();
  });

  it('watches a healthy release slot by slot with one Logs request per sample, then completes with a summary', async () => {
    // Slots of 250 ms: a busy machine may still run a sample late, but not two slots late.
    const config = testConfig();
    Object.assign(config.apps.backend!.environments.production!.monitoring, { window: 1_000, interval: 250 });
    h = new EngineHarness(config);
    const logRanges: [number, number][] = [];
    h.cloud.countMatchesImpl = async (_group, _pattern, from, to) => {
      logRanges.push([from, to]);
      return 0;
    };
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(release.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    const monitor = done.steps.find((s) => s.name === 'monitor');
    const samples = monitor?.progress.samples as unknown as Sample[];
    assert.deepEqual(
      samples.map((s) => s.slot),
      [0, 1, 2, 3],
    );
    // One for the baseline, then exactly one per sample, each over exactly its slot.
    assert.equal(logRanges.length, 1 + samples.length);
    for (const [i, s] of samples.entries()) {
      assert.deepEqual(logRanges[i + 1], [s.from, s.to]);
      assert.equal(s.to - s.from, 250);
    }
    assert.match(
      monitor?.summary ?? '',
      // The test service has no access logs: the bot's 12 probes are all it saw, too few to judge.
      /^1s watched, 4 samples: 5xx 0\.00% of \d+ health probes, p99 12ms \([+±]\d+% vs baseline, within 10%\) — inconclusive: too little traffic to judge$/,
    );
    assert.ok(done.facts.baseline);
    assert.equal(done.facts.rollbackProposal, undefined);
    const posts = h.chat.events.filter((e) => e.kind === 'detail' && e.step === 'monitor');
    assert.ok(
      posts.some((p) => /^Monitoring: sample [23]\/4 — /.test(p.lines?.[0] ?? '')),
      `a status post every 2 samples, before the last: ${JSON.stringify(posts.map((p) => p.lines?.[0]))}`,
    );
    // The message is told of every new sample, not only of the status posts: its monitor line stays live.
    const shown = h.chat.events
      .filter((e) => e.kind === 'updated' && e.releaseId === release.id)
      .flatMap((e) => e.lines ?? [])
      .map((line) => /^monitor: sample (\d)\/4 — inconclusive so far/.exec(line)?.[1])
      .filter((n) => n !== undefined);
    const counts = shown.map(Number);
    assert.deepEqual(counts, [...counts].sort(), `sample counts only grow: ${JSON.stringify(counts)}`);
    assert.ok(
      new Set(counts.filter((n) => n > 0)).size >= 2,
      `live sample counts: ${JSON.stringify(counts)}`,
    );
  });

  it('with monitoring.metrics, samples record the busiest service’s CPU and memory and the status posts show them', async () => {
    const config = testConfig();
    config.apps.backend!.environments.production!.monitoring.metrics = true;
    h = new EngineHarness(config);
    h.metrics.cpu.set('backend-service', 31).set('worker-service', 12);
    h.metrics.memory.set('backend-service', 42).set('worker-service', 18);
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    const done = await h.waitForEnd(release.id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    const samples = done.steps.find((s) => s.name === 'monitor')?.progress.samples as unknown as Sample[];
    const measured = samples.filter((s) => s.cpu);
    assert.ok(measured.length > 0, 'at least the latest slot of each run is measured');
    for (const s of measured) {
      assert.deepEqual(s.cpu, { percent: 31, service: 'backend-service' });
      assert.deepEqual(s.memory, { percent: 42, service: 'backend-service' });
    }
    // One GetMetricData per measured sample, for both services, over exactly that slot.
    assert.deepEqual(
      h.metrics.calls.map((c) => [c.cluster, c.services, c.from, c.to]),
      measured.map((s) => ['social-analytics-cluster', ['backend-service', 'worker-service'], s.from, s.to]),
    );
    const posts = h.chat.events.filter((e) => e.kind === 'detail' && e.step === 'monitor');
    assert.ok(
      posts.some((p) => p.lines?.includes('cpu 31% memory 42% (backend-service)')),
      JSON.stringify(posts.map((p) => p.lines)),
    );
  });

  it('proposes a rollback within two sample intervals of a degradation, naming the rule and the numbers', async () => {
    const config = testConfig();
    // Slots long enough that a busy machine still probes every one of them.
    Object.assign(config.apps.backend!.environments.production!.monitoring, { window: 2_000, interval: 200 });
    // Six probes a sample are all the traffic there is: judge on ten of them.
    config.apps.backend!.environments.production!.rollback.minRequests = 10;
    h = new EngineHarness(config);
    let degradedAt: number | undefined;
    h.cloud.hook = async (method, phase) => {
      // The new revision starts failing as soon as verify has passed.
      if (method === 'countMatches' && phase === 'before' && degradedAt === undefined) {
        const r = (await h.engine.store.history('backend'))[0];
        if (r?.steps.find((s) => s.name === 'verify')?.state === 'succeeded') {
          degradedAt = Date.now();
          h.probe.statusByPath.set('/health/ready', 503);
        }
      }
    };
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    const proposed = await h.waitFor(
      release.id,
      (r) => r.facts.rollbackProposal !== undefined || r.state !== 'running',
    );
    const proposalId = proposed.facts.rollbackProposal;
    assert.ok(proposalId, `no proposal: ${proposed.state}`);
    const proposal = await h.engine.store.get(proposalId);
    assert.equal(proposal?.state, 'awaiting_start', 'a person decides');
    assert.equal(proposal?.requestedBy, 'deploybot');
    assert.match(
      proposal?.rollbackOf?.reason ?? '',
      /^error-rate: 5xx 33\.3% of \d+ health probes in the last \d+ms vs 0\.0% of 9 at baseline \(limit 5%\)$/,
    );
    const samples = (await h.engine.store.get(release.id))?.steps.find((s) => s.name === 'monitor')?.progress
      .samples as unknown as Sample[];
    const firstBad = samples.find((s) => (s.probes?.errorRate ?? 0) > 0.05);
    const proposedAt = proposal?.createdAt ?? 0;
    assert.ok(firstBad && degradedAt);
    assert.ok(
      proposedAt - degradedAt <= 2 * 25 + 5_000,
      `proposed ${proposedAt - degradedAt}ms after the degradation`,
    );
    // The release keeps being watched until someone decides.
    assert.equal((await h.engine.store.get(release.id))?.state, 'running');
  });

  it('rolls back at once and says so when the environment chose autoRollback', async () => {
    const config = testConfig();
    config.apps.backend!.environments.production!.rollback.auto = true;
    // Error logs are judged over a whole judge window: two of this test's 25 ms slots.
    config.apps.backend!.environments.production!.rollback.judgeWindow = 50;
    h = new EngineHarness(config);
    let verified = false;
    h.cloud.countMatchesImpl = async () => {
      const r = (await h.engine.store.history('backend')).find((x) => !x.rollbackOf);
      verified ||= r?.steps.find((s) => s.name === 'verify')?.state === 'succeeded';
      return verified ? 500 : 0; // an error-log storm after the deploy
    };
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    const ended = await h.waitFor(release.id, (r) => r.state !== 'running');
    assert.equal(ended.state, 'rolled_back');
    assert.equal(ended.cancelledBy, 'deploybot');
    const rollback = await h.waitForEnd(ended.rolledBackBy as string);
    assert.equal(rollback.state, 'succeeded', JSON.stringify(rollback.failure));
    assert.match(rollback.rollbackOf?.reason ?? '', /^error-logs: /);
    assert.match(h.cloud.services.get('backend-service')?.deployments[0]?.taskDefinition ?? '', /backend:7$/);
    assert.equal((await h.waitForManualLock()).kind, 'manual');
  });

  it('posts the runbook follow-ups after a completed release: summaries against the baseline, then the review', async () => {
    h = new EngineHarness();
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitForEnd(release.id);
    const posts = () =>
      h.chat.events
        .filter((e) => e.releaseId === release.id && e.kind === 'detail')
        .map((e) => e.lines?.[0] ?? '');
    const reviewAsked = () => h.chat.events.some((e) => e.releaseId === release.id && e.kind === 'review');
    const deadline = Date.now() + 10_000;
    while (
      (!posts().some((p) => p.startsWith('Follow-up +300ms')) || !reviewAsked()) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // Delayed jobs due close together may run in either order on a busy machine.
    const followUps = posts()
      .filter((p) => p.startsWith('Follow-up'))
      .sort();
    assert.deepEqual(followUps, [
      'Follow-up +150ms: backend v1.2.0 in production',
      'Follow-up +300ms: backend v1.2.0 in production',
    ]);
    // The review is asked for through its own port method (the Slack adapter adds its button).
    assert.ok(reviewAsked(), 'the post-deployment review was asked for');
    const summary = h.chat.events.find(
      (e) => e.lines?.[0] === 'Follow-up +150ms: backend v1.2.0 in production',
    );
    assert.match(summary?.lines?.[2] ?? '', /^latency p50 12ms p99 12ms \(p99 ±0% vs baseline\)$/);
  });

  it('reminds approvers of an undecided proposal and, after a rollback, of the post-mortem', async () => {
    h = new EngineHarness();
    const release = await h.release('v1.2.0', 'production', 'hotfix');
    await h.waitForEnd(release.id);
    const proposal = await h.engine.service.proposeRollback({
      app: 'backend',
      environment: 'production',
      requestedBy: 'U1',
    });
    const reminded = async () =>
      h.chat.events.some(
        (e) => e.releaseId === proposal.id && (e.lines?.[0] ?? '').startsWith('Still waiting for a decision'),
      );
    for (let i = 0; i < 100 && !(await reminded()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(await reminded(), 'approvers reminded');
    assert.match(
      h.chat.events.find((e) => e.releaseId === proposal.id && e.kind === 'detail')?.lines?.[0] ?? '',
      /^Still waiting for a decision on rollback `r\d{8}t\d{6}-[0-9a-f]{4}`: <@U0APPROVER>$/,
    );

    await h.engine.service.approveRollback(proposal.id, 'U0APPROVER');
    await h.waitForEnd(proposal.id);
    const postmortem = async () =>
      h.chat.events.find(
        (e) => e.releaseId === release.id && (e.lines?.[0] ?? '').startsWith('Post-mortem reminder'),
      );
    for (let i = 0; i < 100 && !(await postmortem()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(
      (await postmortem())?.lines?.[0] ?? '',
      /^Post-mortem reminder: v1\.2\.0 was rolled back 150ms ago/,
    );
  });
});
