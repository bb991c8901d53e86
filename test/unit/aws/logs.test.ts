import assert from 'node:assert/strict';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchLogs, LogEventsTruncated } from '../../../src/aws/logs';
import { BudgetedLogs } from '../../../src/engine/budgeted-logs';

const GROUP = '/ecs/shop-web';

describe('CloudWatchLogs', () => {
  const client = new CloudWatchLogsClient({ region: 'eu-west-1' });
  const cw = mockClient(client);
  const logs = new CloudWatchLogs(client);

  beforeEach(() => cw.reset());
  after(() => cw.restore());

  describe('tail', () => {
    it('reads the newest events of the stream, oldest first', async () => {
      cw.on(GetLogEventsCommand).resolves({
        events: [
          { timestamp: 1, message: 'migrating' },
          { timestamp: 2, message: 'error: relation exists' },
        ],
      });

      const lines = await logs.tail(GROUP, 'web/web/abc', 50);

      assert.deepEqual(lines, ['migrating', 'error: relation exists']);
      assert.deepEqual(cw.commandCall(0, GetLogEventsCommand).args[0].input, {
        logGroupName: GROUP,
        logStreamName: 'web/web/abc',
        limit: 50,
        startFromHead: false,
      });
    });

    it('answers [] for a stream that does not exist', async () => {
      cw.on(GetLogEventsCommand).rejects(
        new ResourceNotFoundException({ message: 'The specified log stream does not exist.', $metadata: {} }),
      );

      assert.deepEqual(await logs.tail(GROUP, 'web/web/never-started', 50), []);
    });

    it('passes other errors through', async () => {
      const denied = Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      cw.on(GetLogEventsCommand).rejects(denied);

      await assert.rejects(logs.tail(GROUP, 's', 50), denied);
    });

    it('asks for no more than CloudWatch allows, and nothing for a zero limit', async () => {
      cw.on(GetLogEventsCommand).resolves({ events: [] });

      await logs.tail(GROUP, 's', 1_000_000);
      assert.deepEqual(await logs.tail(GROUP, 's', 0), []);

      assert.equal(cw.commandCalls(GetLogEventsCommand).length, 1);
      assert.equal(cw.commandCall(0, GetLogEventsCommand).args[0].input.limit, 10_000);
    });
  });

  describe('countMatches', () => {
    it('counts events on every page, following nextToken through empty pages', async () => {
      cw.on(FilterLogEventsCommand)
        .resolvesOnce({ events: [{ message: 'a' }, { message: 'b' }], nextToken: 'p2' })
        .resolvesOnce({ events: [], nextToken: 'p3' })
        .resolvesOnce({ events: [{ message: 'c' }] });

      const count = await logs.countMatches(GROUP, '?ERROR ?Exception', 1_000, 61_000);

      assert.equal(count, 3);
      const base = {
        logGroupName: GROUP,
        filterPattern: '?ERROR ?Exception',
        startTime: 1_000,
        endTime: 60_999,
      };
      assert.deepEqual(
        cw.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input),
        [base, { ...base, nextToken: 'p2' }, { ...base, nextToken: 'p3' }],
      );
    });

    it('excludes endMs by asking CloudWatch (inclusive end) for one ms less', async () => {
      cw.on(FilterLogEventsCommand).resolves({ events: [] });

      await logs.countMatches(GROUP, 'ERROR', 5_000, 6_000);

      assert.equal(cw.commandCall(0, FilterLogEventsCommand).args[0].input.endTime, 5_999);
    });

    it('answers 0 without asking for an empty interval', async () => {
      assert.equal(await logs.countMatches(GROUP, 'ERROR', 6_000, 6_000), 0);
      assert.equal(cw.commandCalls(FilterLogEventsCommand).length, 0);
    });

    it('stops when CloudWatch hands back a token it already gave', async () => {
      cw.on(FilterLogEventsCommand).resolves({ events: [{ message: 'x' }], nextToken: 'same' });

      assert.equal(await logs.countMatches(GROUP, 'ERROR', 0, 10), 2);
      assert.equal(cw.commandCalls(FilterLogEventsCommand).length, 2);
    });

    it('does not treat a missing log group as zero matches', async () => {
      cw.on(FilterLogEventsCommand).rejects(
        new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }),
      );

      await assert.rejects(logs.countMatches('/ecs/typo', 'ERROR', 0, 10), {
        name: 'ResourceNotFoundException',
      });
    });
  });

  describe('events', () => {
    it('reads every page of the range (end excluded), oldest first, without a pattern unless given', async () => {
      cw.on(FilterLogEventsCommand)
        .resolvesOnce({
          events: [
            { timestamp: 3_000, message: 'b' },
            { timestamp: 1_000, message: 'a' },
          ],
          nextToken: 'p2',
        })
        .resolvesOnce({ events: [{ timestamp: 2_000, message: 'c' }] });

      assert.deepEqual(await logs.events(GROUP, 1_000, 61_000), [
        { timestamp: 1_000, message: 'a' },
        { timestamp: 2_000, message: 'c' },
        { timestamp: 3_000, message: 'b' },
      ]);
      const base = { logGroupName: GROUP, startTime: 1_000, endTime: 60_999 };
      assert.deepEqual(
        cw.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input),
        [base, { ...base, nextToken: 'p2' }],
      );
    });

    it('passes a filter pattern through', async () => {
      cw.on(FilterLogEventsCommand).resolves({ events: [] });
      await logs.events(GROUP, 0, 10, { filterPattern: '{ $.status = * }' });
      assert.equal(cw.commandCall(0, FilterLogEventsCommand).args[0].input.filterPattern, '{ $.status = * }');
    });

    it('fails rather than answer short when more pages follow the cap, and reads exactly the cap otherwise', async () => {
      cw.on(FilterLogEventsCommand)
        .resolvesOnce({ events: [{ timestamp: 1, message: 'a' }], nextToken: 'p2' })
        .resolvesOnce({ events: [{ timestamp: 2, message: 'b' }], nextToken: 'p3' })
        .resolvesOnce({ events: [{ timestamp: 3, message: 'c' }] });
      await assert.rejects(
        logs.events(GROUP, 0, 10, { maxPages: 2 }),
        (err: unknown) => err instanceof LogEventsTruncated && err.code === 'log_events_truncated',
      );
      assert.equal(cw.commandCalls(FilterLogEventsCommand).length, 2);

      cw.reset();
      cw.on(FilterLogEventsCommand)
        .resolvesOnce({ events: [{ timestamp: 1, message: 'a' }], nextToken: 'p2' })
        .resolvesOnce({ events: [{ timestamp: 2, message: 'b' }] });
      assert.equal((await logs.events(GROUP, 0, 10, { maxPages: 2 })).length, 2);
    });

    it('through the budget, takes one token before each page', async () => {
      const order: string[] = [];
      cw.on(FilterLogEventsCommand).callsFake((input: { nextToken?: string }) => {
        order.push(`page ${input.nextToken ?? 'p1'}`);
        return input.nextToken ? { events: [] } : { events: [], nextToken: 'p2' };
      });
      const budgeted = new BudgetedLogs(() => logs, { take: async () => void order.push('token') });
      await budgeted.events(GROUP, 0, 10);
      assert.deepEqual(order, ['token', 'page p1', 'token', 'page p2']);
    });
  });
});
