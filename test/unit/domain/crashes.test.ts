import assert from 'node:assert/strict';
import { describeCrash, isCrash, newCrashes } from '../../../src/domain/crashes';
import type { StoppedTask } from '../../../src/ports/container-platform';

const REV_8 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/backend:8';
const REV_7 = 'arn:aws:ecs:us-east-1:123456789012:task-definition/backend:7';

function task(
  stopCode: string | undefined,
  stoppedReason: string | undefined,
  containers: StoppedTask['containers'],
  extra: Partial<StoppedTask> = {},
): StoppedTask {
  return {
    arn: 'arn:aws:ecs:us-east-1:123456789012:task/prod/aaa',
    taskDefinition: REV_8,
    stoppedAt: 1_000,
    ...(stopCode !== undefined && { stopCode }),
    ...(stoppedReason !== undefined && { stoppedReason }),
    containers,
    ...extra,
  };
}

const EXITED = 'Essential container in task exited';

describe('crashes', () => {
  describe('isCrash, per documented stop code', () => {
    const table: { why: string; task: StoppedTask; crash: boolean }[] = [
      {
        why: 'TaskFailedToStart (image pull) is a crash, though no container has an exit code',
        task: task('TaskFailedToStart', 'CannotPullContainerError: pull image manifest has been retried', [
          { name: 'backend', reason: 'CannotPullContainerError: not found' },
        ]),
        crash: true,
      },
      {
        why: 'EssentialContainerExited with exit 1 is a crash',
        task: task('EssentialContainerExited', EXITED, [{ name: 'backend', exitCode: 1 }]),
        crash: true,
      },
      {
        why: 'EssentialContainerExited with an OOM kill (137, OutOfMemoryError) is a crash',
        task: task('EssentialContainerExited', EXITED, [
          {
            name: 'backend',
            exitCode: 137,
            reason: 'OutOfMemoryError: Container killed due to memory usage',
          },
        ]),
        crash: true,
      },
      {
        why: 'an OutOfMemoryError without an exit code is a crash',
        task: task('EssentialContainerExited', EXITED, [
          { name: 'backend', reason: 'OutOfMemoryError: Container killed due to memory usage' },
        ]),
        crash: true,
      },
      {
        why: 'EssentialContainerExited with exit 0 is the process ending cleanly, not a crash',
        task: task('EssentialContainerExited', EXITED, [{ name: 'backend', exitCode: 0 }]),
        crash: false,
      },
      {
        why: 'ServiceSchedulerInitiated for a deployment (SIGTERM, 143) is a replacement',
        task: task('ServiceSchedulerInitiated', 'Scaling activity initiated by (deployment ecs-svc/123)', [
          { name: 'backend', exitCode: 143 },
        ]),
        crash: false,
      },
      {
        why: 'ServiceSchedulerInitiated scale-in with a SIGKILL after the stop timeout (137) is a replacement',
        task: task('ServiceSchedulerInitiated', 'Scaling activity initiated by (deployment ecs-svc/123)', [
          { name: 'backend', exitCode: 137 },
        ]),
        crash: false,
      },
      {
        why: 'ServiceSchedulerInitiated because the task failed ELB health checks is a crash',
        task: task(
          'ServiceSchedulerInitiated',
          'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/backend-tg/6d0ecf831eec9f09)',
          [{ name: 'backend', exitCode: 143 }],
        ),
        crash: true,
      },
      {
        why: 'ServiceSchedulerInitiated because the task failed container health checks is a crash',
        task: task('ServiceSchedulerInitiated', 'Task failed container health checks', [
          { name: 'backend', exitCode: 143 },
        ]),
        crash: true,
      },
      {
        why: 'UserInitiated (StopTask) is never a crash, whatever the exit code',
        task: task('UserInitiated', 'Task stopped by user', [{ name: 'backend', exitCode: 1 }]),
        crash: false,
      },
      {
        why: 'SpotInterruption is never a crash',
        task: task('SpotInterruption', 'Your Spot Task was interrupted.', [
          { name: 'backend', exitCode: 143 },
        ]),
        crash: false,
      },
      {
        why: 'TerminationNotice (maintenance, instance retirement) is never a crash',
        task: task('TerminationNotice', 'Task is being retired', [{ name: 'backend', exitCode: 137 }]),
        crash: false,
      },
      {
        why: 'InfrastructureHealth is never a crash',
        task: task('InfrastructureHealth', 'Underlying host is unhealthy', [
          { name: 'backend', exitCode: 1 },
        ]),
        crash: false,
      },
      {
        why: 'no stop code but ECS says the essential container exited with 1: a crash',
        task: task(undefined, EXITED, [{ name: 'backend', exitCode: 1 }]),
        crash: true,
      },
      {
        why: 'no stop code and no reason, exit 143: not enough to call a crash',
        task: task(undefined, undefined, [{ name: 'backend', exitCode: 143 }]),
        crash: false,
      },
    ];
    for (const row of table) {
      it(row.why, () => assert.equal(isCrash(row.task), row.crash));
    }

    it('counts only the essential containers when told which they are', () => {
      const sidecarFailed = task('EssentialContainerExited', EXITED, [
        { name: 'backend', exitCode: 0 },
        { name: 'log-router', exitCode: 2 },
      ]);
      assert.equal(isCrash(sidecarFailed), true);
      assert.equal(isCrash(sidecarFailed, ['backend']), false);
      assert.equal(isCrash(sidecarFailed, ['backend', 'log-router']), true);
    });
  });

  describe('describeCrash', () => {
    it('quotes the reason and the container that exited badly, with its exit code and reason', () => {
      const oom = task('EssentialContainerExited', EXITED, [
        { name: 'backend', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' },
        { name: 'sidecar', exitCode: 0 },
      ]);
      assert.equal(
        describeCrash(oom),
        'Essential container in task exited: backend exited 137 (OutOfMemoryError: Container killed due to memory usage)',
      );
    });

    it('quotes the containers of a task that never started', () => {
      const failed = task('TaskFailedToStart', 'CannotPullContainerError: image not found', [
        { name: 'backend', reason: 'CannotPullContainerError: ref not found' },
      ]);
      assert.equal(
        describeCrash(failed),
        'CannotPullContainerError: image not found: backend: CannotPullContainerError: ref not found',
      );
    });

    it('falls back to the stop code when ECS gives no reason', () => {
      assert.equal(describeCrash(task('TaskFailedToStart', undefined, [])), 'TaskFailedToStart');
    });
  });

  describe('newCrashes', () => {
    const crash = (arn: string, stoppedAt: number, taskDefinition = REV_8) =>
      task('EssentialContainerExited', EXITED, [{ name: 'backend', exitCode: 1 }], {
        arn,
        stoppedAt,
        taskDefinition,
      });
    const replaced = task(
      'ServiceSchedulerInitiated',
      'Scaling activity initiated by (deployment ecs-svc/1)',
      [{ name: 'backend', exitCode: 143 }],
      { arn: 'replaced', stoppedAt: 5_000 },
    );
    const scope = { revisions: new Set([REV_8]), since: 2_000, service: 'backend-service' };

    it("keeps crashes of the release's revisions since the deploy, oldest first, not yet known", () => {
      const tasks = [
        crash('late', 9_000),
        crash('before-deploy', 1_999),
        crash('old-revision', 5_000, REV_7),
        replaced,
        crash('known', 6_000),
        crash('early', 2_000),
      ];

      const found = newCrashes(tasks, scope, new Set(['known']));

      assert.deepEqual(found, [
        {
          arn: 'early',
          service: 'backend-service',
          stoppedAt: 2_000,
          reason: 'Essential container in task exited: backend exited 1',
        },
        {
          arn: 'late',
          service: 'backend-service',
          stoppedAt: 9_000,
          reason: 'Essential container in task exited: backend exited 1',
        },
      ]);
    });

    it('passes the essential containers on to the rule', () => {
      const sidecar = task('EssentialContainerExited', EXITED, [{ name: 'sidecar', exitCode: 1 }], {
        stoppedAt: 3_000,
      });
      assert.equal(newCrashes([sidecar], scope, new Set()).length, 1);
      assert.equal(
        newCrashes([sidecar], { ...scope, essentialContainers: ['backend'] }, new Set()).length,
        0,
      );
    });
  });
});
