import assert from 'node:assert/strict';
import { BudgetedPlatform } from '../../../src/engine/budgeted-platform';
import type { ContainerPlatform, ServiceState } from '../../../src/ports/container-platform';

/** Records what reached the platform and how many budget tokens had been taken by then. */
function setup() {
  let taken = 0;
  const reached: { call: string; takenBefore: number }[] = [];
  const seen = (call: string) => reached.push({ call, takenBefore: taken });
  const inner: ContainerPlatform = {
    describeServices: async (_cluster, services) => {
      seen(`describeServices ${services.length}`);
      return services.map((name) => ({ name }) as unknown as ServiceState);
    },
    describeTaskDefinition: async (ref) => (seen(`describeTaskDefinition ${ref}`), { arn: ref } as never),
    registerImageRevision: async () => (seen('registerImageRevision'), { arn: 'td:2' } as never),
    updateService: async () => void seen('updateService'),
    runTask: async () => (seen('runTask'), 'task-arn'),
    findTasksStartedBy: async () => (seen('findTasksStartedBy'), []),
    describeTask: async () => (seen('describeTask'), {} as never),
    stoppedTasks: async () => (seen('stoppedTasks'), []),
  };
  const takenBy: Record<string, number> = { services: 0, taskDefinitions: 0, tasks: 0 };
  const budget = (group: string) => ({
    take: async () => {
      taken += 1;
      takenBy[group] = (takenBy[group] ?? 0) + 1;
    },
  });
  const platform = new BudgetedPlatform(inner, {
    services: budget('services'),
    taskDefinitions: budget('taskDefinitions'),
    tasks: budget('tasks'),
  });
  return { platform, reached, taken: () => taken, takenBy };
}

describe('BudgetedPlatform', () => {
  it('takes one service-read token per DescribeServices call (10 services each) before reading', async () => {
    const { platform, reached, taken, takenBy } = setup();
    const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
    const services = await platform.describeServices('c1', names);
    assert.deepEqual(
      services.map((s) => s.name),
      names,
    );
    assert.deepEqual(reached, [{ call: 'describeServices 23', takenBefore: 3 }]);
    await platform.describeServices('c1', ['web']);
    assert.equal(taken(), 4);
    assert.deepEqual(takenBy, { services: 4, taskDefinitions: 0, tasks: 0 });
  });

  it('charges task-definition and task reads to their own groups, for the ECS requests each makes, before reading', async () => {
    const { platform, reached, takenBy } = setup();
    await platform.describeTaskDefinition('web:1');
    assert.deepEqual(takenBy, { services: 0, taskDefinitions: 1, tasks: 0 });
    await platform.findTasksStartedBy('c1', 'r1'); // ListTasks RUNNING, then STOPPED
    await platform.describeTask('c1', 'arn'); // DescribeTasks
    await platform.stoppedTasks('c1', 'web'); // ListTasks, then DescribeTasks
    assert.deepEqual(takenBy, { services: 0, taskDefinitions: 1, tasks: 5 });
    assert.deepEqual(reached, [
      { call: 'describeTaskDefinition web:1', takenBefore: 1 },
      { call: 'findTasksStartedBy', takenBefore: 3 },
      { call: 'describeTask', takenBefore: 4 },
      { call: 'stoppedTasks', takenBefore: 6 },
    ]);
  });

  it('charges registering a revision the read of the one it copies; update and run pass straight through', async () => {
    const { platform, reached, takenBy } = setup();
    await platform.registerImageRevision({ from: 'web:1', images: {}, releaseId: 'r1' });
    await platform.updateService('c1', 'web', 'web:2');
    assert.equal(await platform.runTask({} as never), 'task-arn');
    assert.deepEqual(takenBy, { services: 0, taskDefinitions: 1, tasks: 0 });
    assert.deepEqual(reached, [
      { call: 'registerImageRevision', takenBefore: 1 },
      { call: 'updateService', takenBefore: 1 },
      { call: 'runTask', takenBefore: 1 },
    ]);
  });
});
