import assert from 'node:assert/strict';
import { ListTasksCommand } from '@aws-sdk/client-ecs';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { isCrash, newCrashes } from '../../../src/domain/crashes';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const CLUSTER = 'social-analytics-cluster';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const ROLLOUT_MS = 8_000;
const PENDING_MS = 1_500;
// profiles.json gives `-crashy$` tags a crash every 90 s.
const CRASH_EVERY_MS = 90_000;

describe('AwsEmulator stopped service tasks through the unchanged EcsContainerPlatform adapter', () => {
  let h: AwsHarness;
  let ecs: EcsContainerPlatform;

  beforeEach(async () => {
    h = await startAwsHarness({ timings: { rolloutMs: ROLLOUT_MS, taskPendingMs: PENDING_MS } });
    ecs = new EcsContainerPlatform(h.clients.ecs);
  });

  afterEach(async () => {
    await h.close();
  });

  async function release(tag: string): Promise<string> {
    const next = await ecs.registerImageRevision({
      from: 'social-analytics-backend:7',
      images: { backend: `${REGISTRY}/social-analytics-backend:${tag}` },
      releaseId: `rel-${tag}`,
    });
    await ecs.updateService(CLUSTER, 'backend-service', next.arn);
    return next.arn;
  }

  async function backend() {
    const [service] = await ecs.describeServices(CLUSTER, ['backend-service']);
    assert.ok(service);
    return service;
  }

  it('lists no stopped task for a steady healthy service', async () => {
    assert.deepEqual(await ecs.stoppedTasks(CLUSTER, 'backend-service'), []);
  });

  it('shows a replaced task as ECS does, stopped on purpose: not a crash, and the service never runs short', async () => {
    const revision = (await backend()).taskDefinition;
    const at = h.clock.now();

    const arn = h.emulator.replaceTask(CLUSTER, 'backend-service');

    const stopped = await ecs.stoppedTasks(CLUSTER, 'backend-service');
    assert.equal(stopped.length, 1);
    const [task] = stopped;
    assert.ok(task);
    assert.equal(task.arn, arn);
    assert.equal(task.taskDefinition, revision);
    assert.equal(task.stopCode, 'ServiceSchedulerInitiated');
    assert.equal(task.stoppedAt, at);
    assert.deepEqual(task.containers, [{ name: 'backend', exitCode: 143 }]);
    assert.equal(isCrash(task), false);
    const service = await backend();
    assert.equal(service.runningCount, 2);
    assert.match(service.events[0]?.message ?? '', /has (started|stopped) 1 (running )?tasks/);
    // Another service's listing does not show it.
    assert.deepEqual(await ecs.stoppedTasks(CLUSTER, 'worker-service'), []);
  });

  it("crashes a -crashy build's tasks with exit 1 and replaces them, running one short meanwhile", async () => {
    const deployedAt = h.clock.now();
    const revision = await release('v1.3.0-crashy');
    h.clock.advance(ROLLOUT_MS);
    assert.equal((await backend()).runningCount, 2);
    assert.deepEqual(await ecs.stoppedTasks(CLUSTER, 'backend-service'), []);

    h.clock.advance(CRASH_EVERY_MS - ROLLOUT_MS);
    const during = await backend();
    assert.deepEqual([during.runningCount, during.pendingCount, during.desiredCount], [1, 1, 2]);

    const [crashed, ...others] = await ecs.stoppedTasks(CLUSTER, 'backend-service');
    assert.ok(crashed);
    assert.deepEqual(others, []);
    assert.equal(crashed.taskDefinition, revision);
    assert.equal(crashed.stopCode, 'EssentialContainerExited');
    assert.equal(crashed.stoppedReason, 'Essential container in task exited');
    assert.equal(crashed.stoppedAt, deployedAt + CRASH_EVERY_MS);
    assert.deepEqual(crashed.containers, [{ name: 'backend', exitCode: 1 }]);
    assert.equal(isCrash(crashed), true);

    h.clock.advance(PENDING_MS);
    assert.equal((await backend()).runningCount, 2);

    h.clock.advance(CRASH_EVERY_MS);
    const stopped = await ecs.stoppedTasks(CLUSTER, 'backend-service');
    assert.equal(stopped.length, 2);
    const crashes = newCrashes(
      stopped,
      { revisions: new Set([revision]), since: deployedAt, service: 'backend-service' },
      new Set([crashed.arn]),
    );
    assert.deepEqual(
      crashes.map((c) => [c.stoppedAt, c.reason]),
      [[deployedAt + 2 * CRASH_EVERY_MS, 'Essential container in task exited: backend exited 1']],
    );
  });

  it('does not crash a healthy build, however long it runs', async () => {
    await release('v1.2.0');
    h.clock.advance(10 * CRASH_EVERY_MS);
    assert.deepEqual(await ecs.stoppedTasks(CLUSTER, 'backend-service'), []);
    assert.equal((await backend()).runningCount, 2);
  });

  it('forgets a stopped task an hour after it stopped, as ECS does', async () => {
    h.emulator.replaceTask(CLUSTER, 'backend-service');
    h.clock.advance(60 * 60 * 1000);
    assert.equal((await ecs.stoppedTasks(CLUSTER, 'backend-service')).length, 1);
    h.clock.advance(1);
    assert.deepEqual(await ecs.stoppedTasks(CLUSTER, 'backend-service'), []);
  });

  it('refuses what it does not model and an unknown service, as ECS would', async () => {
    await assert.rejects(
      h.clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'backend-service' })),
      /not modelled/,
    );
    await assert.rejects(
      h.clients.ecs.send(
        new ListTasksCommand({ cluster: CLUSTER, serviceName: 'nope', desiredStatus: 'STOPPED' }),
      ),
      (err: Error) => err.name === 'ServiceNotFoundException',
    );
    assert.throws(() => h.emulator.replaceTask(CLUSTER, 'nope'), /no service nope/);
  });

  it("reports each service's target groups: backend behind the ALB, the worker behind none", async () => {
    const [web, worker] = await ecs.describeServices(CLUSTER, ['backend-service', 'worker-service']);
    assert.deepEqual(web?.loadBalancers, [
      {
        targetGroupArn:
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/backend-tg/6d0ecf831eec9f09',
        containerName: 'backend',
        containerPort: 8000,
      },
    ]);
    assert.deepEqual(worker?.loadBalancers, []);
  });
});
