import assert from 'node:assert/strict';
import {
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { EcrImageRegistry } from '../../../src/aws/ecr';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { StepFailure } from '../../../src/domain/errors';
import { startAwsHarness, type AwsHarness } from './aws-harness';

const GROUP = '/ecs/social-analytics-backend';

describe('AwsEmulator CloudWatch Logs and ECR through the unchanged adapters', () => {
  let h: AwsHarness;
  let logs: CloudWatchLogs;
  let start: number;

  beforeEach(async () => {
    h = await startAwsHarness({ filterPageSize: 100 });
    logs = new CloudWatchLogs(h.clients.logs);
    start = h.clock.now();
  });

  afterEach(async () => {
    await h.close();
  });

  function filterCalls(): number {
    return h.emulator.calls.filter((c) => c.action === 'FilterLogEvents').length;
  }

  it('counts matches across every FilterLogEvents page', async () => {
    for (let i = 0; i < 250; i += 1) {
      h.emulator.appendLog(GROUP, `ecs/backend/task-${i % 3}`, `ERROR request ${i} failed`, start + i);
      h.emulator.appendLog(GROUP, `ecs/backend/task-${i % 3}`, `INFO request ${i} ok`, start + i);
    }
    assert.equal(await logs.countMatches(GROUP, 'ERROR', start, start + 1_000), 250);
    assert.equal(filterCalls(), 3, '100 + 100 + 50');
  });

  it('counts only events inside the half-open window [start, end)', async () => {
    h.emulator.appendLog(GROUP, 's', 'ERROR before', start - 1);
    h.emulator.appendLog(GROUP, 's', 'ERROR at start', start);
    h.emulator.appendLog(GROUP, 's', 'ERROR just inside', start + 999);
    h.emulator.appendLog(GROUP, 's', 'ERROR at end', start + 1_000);
    assert.equal(await logs.countMatches(GROUP, 'ERROR', start, start + 1_000), 2);
  });

  it('matches filter patterns: all terms, quoted phrases, ?optional terms and -exclusions', async () => {
    const lines = [
      'ERROR db timeout',
      'ERROR cache miss',
      'FATAL out of memory',
      'WARN db slow',
      'error lowercase',
    ];
    lines.forEach((line, i) => h.emulator.appendLog(GROUP, 's', line, start + i));
    const match = async (filterPattern: string) =>
      (
        await h.clients.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern }))
      ).events?.map((e) => e.message);
    assert.deepEqual(await match('ERROR'), ['ERROR db timeout', 'ERROR cache miss']);
    assert.deepEqual(await match('ERROR db'), ['ERROR db timeout']);
    assert.deepEqual(await match('"cache miss"'), ['ERROR cache miss']);
    assert.deepEqual(await match('?ERROR ?FATAL'), [
      'ERROR db timeout',
      'ERROR cache miss',
      'FATAL out of memory',
    ]);
    assert.deepEqual(await match('ERROR -cache'), ['ERROR db timeout']);
    assert.deepEqual(await match('%^W[A-Z]+ %'), ['WARN db slow']);
  });

  it('refuses a missing log group for counting, but tails a missing stream as nothing', async () => {
    await assert.rejects(
      logs.countMatches('/ecs/misnamed', 'ERROR', start, start + 1),
      ResourceNotFoundException,
    );
    assert.deepEqual(await logs.tail(GROUP, 'ecs/backend/none', 10), []);
    assert.deepEqual(await logs.tail('/ecs/misnamed', 'ecs/backend/none', 10), []);
  });

  it('pages GetLogEvents forwards from the head and returns the same token at the end', async () => {
    for (let i = 0; i < 5; i += 1) h.emulator.appendLog(GROUP, 'paged', `line ${i}`, start + i);
    const get = (nextToken?: string) =>
      h.clients.logs.send(
        new GetLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: 'paged',
          startFromHead: true,
          limit: 2,
          nextToken,
        }),
      );
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const out = await get(token);
      seen.push(...(out.events ?? []).map((e) => e.message ?? ''));
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    assert.deepEqual(seen, ['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });

  it('knows which image tags exist, including ones pushed later', async () => {
    const ecr = new EcrImageRegistry(h.clients.ecrForRegion);
    const image = (tag: string, repository = 'social-analytics-backend') => ({
      registryId: '123456789012',
      region: 'us-east-1',
      repository,
      tag,
    });
    assert.equal(await ecr.imageExists(image('v1.2.0')), true);
    assert.equal(await ecr.imageExists(image('v1.3.0-bad', 'social-analytics-worker')), true);
    assert.equal(await ecr.imageExists(image('v1.4.0')), false);
    h.emulator.pushImage('social-analytics-backend', 'v1.4.0');
    assert.equal(await ecr.imageExists(image('v1.4.0')), true);
    await assert.rejects(
      ecr.imageExists(image('v1.2.0', 'no-such-repo')),
      (e: unknown) => e instanceof StepFailure && e.code === 'repository_not_found',
    );
    await assert.rejects(
      ecr.imageExists({ ...image('v1.2.0'), registryId: '999999999999' }),
      (e: unknown) => e instanceof StepFailure && e.code === 'repository_not_found',
    );
  });
});
