import assert from 'node:assert/strict';
import {
  formatBin,
  matches,
  MalformedQuery,
  parseInsightsQuery,
  runInsightsQuery,
  type QueriedGroup,
} from '../../../src/sandbox/aws/logs-insights';

const ACCOUNT = '123456789012';
/** 2025-11-24 16:00:00 UTC, a whole minute. */
const T0 = 1_764_000_000_000;

function filterOf(expr: string) {
  const query = parseInsightsQuery(`filter ${expr} | stats count(*) by @log`);
  return (message: string) => query.filters.every((f) => matches(f, message));
}

describe('Logs Insights subset (emulator)', () => {
  describe('filter expressions', () => {
    const table: [string, string, boolean][] = [
      ['@message like /ERROR/', 'ERROR db', true],
      ['@message like /ERROR/', 'error db', false],
      ['@message like /(?i)error/', 'ERROR db', true],
      ['@message like /^ERROR|^FATAL/', 'FATAL oom', true],
      ['@message like /a\\/b/', 'path a/b', true],
      ['@message like /[/]x/', 'y/x', true],
      ['@message like "ERROR"', 'an ERROR here', true],
      ['@message like "ERROR"', 'an error here', false],
      ['@message like \'say "hi"\'', 'they say "hi"', true],
      ['@message like "a.b"', 'axb', false],
      ['@message not like /health/', 'GET /healthz', false],
      ['@message not like /health/', 'GET /orders', true],
      ['not @message like /health/', 'GET /orders', true],
      ['@message like /ERROR/ and @message not like /retry/', 'ERROR retry 1', false],
      ['@message like /ERROR/ and @message not like /retry/', 'ERROR final', true],
      ['@message like /ERROR/ or @message like /FATAL/', 'FATAL', true],
      ['@message like /A/ or @message like /B/ and @message like /C/', 'A', true],
      ['(@message like /A/ or @message like /B/) and @message like /C/', 'A', false],
      ['(@message like /A/ or @message like /B/) and @message like /C/', 'B C', true],
      ['not (@message like /A/ or @message like /B/)', 'C', true],
      ['not not @message like /A/', 'A', true],
      ['@message LIKE /A/ AND NOT @message like /B/', 'A', true],
    ];
    for (const [expr, message, expected] of table) {
      it(`${expr} on ${JSON.stringify(message)} is ${expected}`, () => {
        assert.equal(filterOf(expr)(message), expected);
      });
    }

    it('applies every filter command, and comments are ignored', () => {
      const q = parseInsightsQuery(
        '# errors only\nfilter @message like /ERROR/ # not warnings\n| filter @message not like "retry"\n| stats count(*) by @log',
      );
      assert.equal(q.filters.length, 2);
      assert.equal(
        q.filters.every((f) => matches(f, 'ERROR x')),
        true,
      );
      assert.equal(
        q.filters.every((f) => matches(f, 'ERROR retry')),
        false,
      );
    });
  });

  describe('stats', () => {
    it('names the count and the by-fields as written', () => {
      assert.deepEqual(parseInsightsQuery('stats count(*) as errors by @log, bin(5m)').stats, {
        countAs: 'errors',
        by: [
          { kind: 'log', name: '@log' },
          { kind: 'bin', name: 'bin(5m)', ms: 300_000 },
        ],
      });
      assert.deepEqual(parseInsightsQuery('stats count(*) by bin(30s)').stats, {
        countAs: 'count(*)',
        by: [{ kind: 'bin', name: 'bin(30s)', ms: 30_000 }],
      });
      assert.deepEqual(parseInsightsQuery('STATS COUNT( * ) AS n BY bin( 1s ) , @log').stats, {
        countAs: 'n',
        by: [
          { kind: 'bin', name: 'bin(1s)', ms: 1_000 },
          { kind: 'log', name: '@log' },
        ],
      });
    });

    it('formats bins as UTC start times with milliseconds', () => {
      assert.equal(formatBin(T0), '2025-11-24 16:00:00.000');
      assert.equal(formatBin(T0 + 61_000), '2025-11-24 16:01:01.000');
    });
  });

  describe('evaluation', () => {
    const groups: QueriedGroup[] = [
      {
        name: '/ecs/b',
        events: [
          { timestamp: T0 + 100, message: 'ERROR one' },
          { timestamp: T0 + 900, message: 'ERROR two' },
          { timestamp: T0 + 1_000, message: 'ERROR three' },
          { timestamp: T0 + 1_500, message: 'INFO fine' },
        ],
      },
      { name: '/ecs/a', events: [{ timestamp: T0 + 61_000, message: 'ERROR late' }] },
      { name: '/ecs/empty', events: [{ timestamp: T0, message: 'INFO only' }] },
    ];

    it('counts per group and per second, only non-empty buckets, sorted by the by-fields', () => {
      const q = parseInsightsQuery(
        'filter @message like /ERROR/ | stats count(*) as errors by @log, bin(1s)',
      );
      const out = runInsightsQuery(q, groups, ACCOUNT);
      assert.deepEqual(out.rows, [
        [
          { field: '@log', value: '123456789012:/ecs/a' },
          { field: 'bin(1s)', value: '2025-11-24 16:01:01.000' },
          { field: 'errors', value: '1' },
        ],
        [
          { field: '@log', value: '123456789012:/ecs/b' },
          { field: 'bin(1s)', value: '2025-11-24 16:00:00.000' },
          { field: 'errors', value: '2' },
        ],
        [
          { field: '@log', value: '123456789012:/ecs/b' },
          { field: 'bin(1s)', value: '2025-11-24 16:00:01.000' },
          { field: 'errors', value: '1' },
        ],
      ]);
      assert.equal(out.recordsScanned, 6);
      assert.equal(out.recordsMatched, 4);
      assert.equal(
        out.bytesScanned,
        groups.flatMap((g) => g.events).reduce((n, e) => n + Buffer.byteLength(e.message), 0),
      );
    });

    it('orders fields as the by-clause does, and bins by the minute', () => {
      const q = parseInsightsQuery('filter @message like "ERROR" | stats count(*) by bin(1m), @log');
      assert.deepEqual(
        runInsightsQuery(q, groups, ACCOUNT).rows.map((r) => r.map((f) => `${f.field}=${f.value}`)),
        [
          ['bin(1m)=2025-11-24 16:00:00.000', '@log=123456789012:/ecs/b', 'count(*)=3'],
          ['bin(1m)=2025-11-24 16:01:00.000', '@log=123456789012:/ecs/a', 'count(*)=1'],
        ],
      );
    });

    it('counts everything without a filter, and returns no rows when nothing matches', () => {
      const all = runInsightsQuery(parseInsightsQuery('stats count(*) as n by @log'), groups, ACCOUNT);
      assert.deepEqual(
        all.rows.map((r) => r.map((f) => f.value)),
        [
          ['123456789012:/ecs/a', '1'],
          ['123456789012:/ecs/b', '4'],
          ['123456789012:/ecs/empty', '1'],
        ],
      );
      const none = runInsightsQuery(
        parseInsightsQuery('filter @message like /PANIC/ | stats count(*) by @log'),
        groups,
        ACCOUNT,
      );
      assert.deepEqual(none.rows, []);
      assert.equal(none.recordsMatched, 0);
      assert.equal(none.recordsScanned, 6);
    });
  });

  describe('malformed queries', () => {
    const table: [string, RegExp][] = [
      ['', /Expected a command but found the end/],
      ['filter @message like /ERROR/', /without stats returns raw events/],
      ['fields @timestamp, @message | stats count(*) by @log', /'fields' command is not supported/],
      ['stats count(*) by @log | sort @log', /'sort' after stats/],
      ['sort @timestamp desc | stats count(*) by @log', /'sort' command is not supported/],
      ['filter @message like /x/ | limit 20', /'limit' command is not supported/],
      ['frobnicate | stats count(*) by @log', /Unknown command 'frobnicate'/],
      ['stats count(*) by @log | stats count(*) by @log', /'stats' after stats/],
      ['stats count(*) by @log |', /Expected a command but found the end/],
      ['| stats count(*) by @log', /Expected a command but found '\|'/],
      ['filter @logStream like /x/ | stats count(*) by @log', /Filtering on '@logStream' is not supported/],
      ['filter @message = "x" | stats count(*) by @log', /Unexpected character '='/],
      ['filter @message =~ /x/ | stats count(*) by @log', /Unexpected character '='/],
      ['filter @message like x | stats count(*) by @log', /Expected a \/regex\/ or "string" after like/],
      ['filter @message like /(/ | stats count(*) by @log', /Invalid regular expression/],
      ['filter @message like /x | stats count(*) by @log', /Unterminated regular expression/],
      ['filter @message like "x | stats count(*) by @log', /Unterminated string/],
      ['filter @message like // | stats count(*) by @log', /Empty regular expression/],
      ['filter (@message like /x/ | stats count(*) by @log', /Expected '\)'/],
      ['filter @message like /x/ and | stats count(*) by @log', /Expected a condition/],
      ['filter @message like /x/ @message | stats count(*) by @log', /Expected '\|' or the end/],
      ['stats sum(@duration) by @log', /aggregate 'sum' is not supported/],
      ['stats count(@message) by @log', /Only count\(\*\) is supported/],
      ['stats count(*) as n, count(*) as m by @log', /Only one aggregate/],
      ['stats count(*) as n', /stats without 'by' is not supported/],
      ['stats count(*) as 1n by @log', /'1n' is not a valid name/],
      ['stats count(*) by @logStream', /Grouping by '@logStream' is not supported/],
      ['stats count(*) by bin(1h)', /only s and m are supported/],
      ['stats count(*) by bin(0s)', /bin takes a period/],
      ['stats count(*) by bin(1s), bin(1m)', /'bin\(1m\)' appears twice/],
      ['stats count(*) by @log, @log', /'@log' appears twice/],
    ];
    for (const [query, message] of table) {
      it(`refuses ${JSON.stringify(query)}`, () => {
        assert.throws(
          () => parseInsightsQuery(query),
          (err: unknown) => {
            assert.ok(err instanceof MalformedQuery, String(err));
            assert.equal(err.code, 'MalformedQueryException');
            assert.match(err.message, message);
            assert.match(err.message, /\(at character \d+\)$/);
            return true;
          },
        );
      });
    }

    it('points at the offending character', () => {
      assert.throws(
        () => parseInsightsQuery('stats count(*) by @log | sort @log'),
        (err: unknown) => err instanceof MalformedQuery && err.offset === 25,
      );
    });
  });
});
