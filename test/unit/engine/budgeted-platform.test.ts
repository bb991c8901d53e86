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
  const budget = { take: async () => void (taken += 1) };
  return { platform: new BudgetedPlatform(inner, budget), reached, taken: () => taken };
}

describe('BudgetedPlatform', () => {
  it('takes one budget token per DescribeServices call (10 services each) before reading', async () => {
    const { platform, reached, taken } = setup();
    const names = Array.from({ length: 23 }, (_, i) => `svc-${i}`);
    const services = await platform.describeServices('c1', names);
    assert.deepEqual(
      services.map((s) => s.name),
      names,
    );
    assert.deepEqual(reached, [{ call: 'describeServices 23', takenBefore: 3 }]);
    await platform.describeServices('c1', ['web']);
    assert.equal(taken(), 4);
  });

  it('passes every other call straight through without spending the budget', async () => {
    const { platform, reached, taken } = setup();
    await platform.describeTaskDefinition('web:1');
    await platform.registerImageRevision({ from: 'web:1', images: {}, releaseId: 'r1' });
    await platform.updateService('c1', 'web', 'web:2');
    assert.equal(await platform.runTask({} as never), 'task-arn');
    await platform.findTasksStartedBy('c1', 'r1');
    await platform.describeTask('c1', 'arn');
    await platform.stoppedTasks('c1', 'web');
    assert.equal(taken(), 0);
    assert.deepEqual(
      reached.map((r) => r.call),
      [
        'describeTaskDefinition web:1',
        'registerImageRevision',
        'updateService',
        'runTask',
        'findTasksStartedBy',
        'describeTask',
        'stoppedTasks',
      ],
    );
  });
});
