import assert from 'node:assert/strict';
import { accessLineReader } from '../../../src/domain/access-log-lines';
import { accessLogQuery, trafficOfRows } from '../../../src/domain/access-log-query';
import { trafficOf } from '../../../src/domain/traffic';
import type { AccessLogFormat } from '../../../src/ports/access-logs';
import {
  formatBin,
  MalformedQuery,
  parseInsightsQuery,
  passes,
  recordOf,
  runInsightsQuery,
  type QueriedGroup,
} from '../../../src/sandbox/aws/logs-insights';

const ACCOUNT = '123456789012';
/** 2025-11-24 16:00:00 UTC, a whole minute. */
const T0 = 1_764_000_000_000;

function filterOf(expr: string) {
  const query = parseInsightsQuery(`filter ${expr} | stats count(*) by @log`);
  return (message: string) => passes(query.commands, recordOf({ timestamp: T0, message }));
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
      assert.equal(q.commands.length, 2);
      assert.equal(passes(q.commands, recordOf({ timestamp: T0, message: 'ERROR x' })), true);
      assert.equal(passes(q.commands, recordOf({ timestamp: T0, message: 'ERROR retry' })), false);
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

  describe('parse, fields, comparisons and stats by fields', () => {
    const rowsOf = (query: string, events: string[]) =>
      runInsightsQuery(
        parseInsightsQuery(query),
        [{ name: '/ecs/a', events: events.map((message, i) => ({ timestamp: T0 + i, message })) }],
        ACCOUNT,
      ).rows.map((r) => r.map((f) => `${f.field}=${f.value}`).join(' '));

    it('parses with a glob, matched anywhere, each * as little as it can and a trailing one the rest', () => {
      assert.deepEqual(
        rowsOf('parse @message "* - [*] *" as path, status, rest | stats count(*) as n by status, rest', [
          '/a - [200] took 3 ms',
          'x /b - [500] 9',
          'no brackets here',
        ]),
        ['n=1', 'status=200 rest=took 3 ms n=1', 'status=500 rest=9 n=1'],
      );
    });

    it('parses with a regex of named groups, from @message by default', () => {
      assert.deepEqual(
        rowsOf('parse /status=(?<status>\\d+)/ | filter ispresent(status) | stats count(*) as n by status', [
          'status=200',
          'status=200 again',
          'status=x',
        ]),
        ['status=200 n=2'],
      );
    });

    it('discovers the fields of JSON events, flattened with dots, quoted names with backticks', () => {
      assert.deepEqual(
        rowsOf(
          'filter http.status >= 500 or `odd-name` = "yes" | fields http.path | stats count(*) as n by http.path',
          [
            '{"http":{"status":503,"path":"/a"}}',
            '{"http":{"status":200,"path":"/b"},"odd-name":"yes"}',
            '{"http":{"status":"502","path":"/a"}}',
            '{"http":{"status":200,"path":"/c"}}',
            'not json status 500',
          ],
        ),
        ['http.path=/a n=2', 'http.path=/b n=1'],
      );
    });

    const expressions: [string, string, string | undefined][] = [
      ['1 + 2 * 3', '{}', '7'],
      ['(1 + 2) * 3', '{}', '9'],
      ['10 - 4 - 3', '{}', '3'],
      ['-x + 1', '{"x":3}', '-2'],
      ['x / 100', '{"x":503}', '5.03'],
      ['floor(x / 100)', '{"x":"503"}', '5'],
      ['ceil(x)', '{"x":1.2}', '2'],
      ['log(x)', '{"x":1}', '0'],
      ['ceil(log(greatest(x, 1)) * 10)', '{"x":0.2}', '0'],
      ['ceil(log(greatest(x, 1)) * 10)', '{"x":30}', '35'],
      ['least(x, 2, 7)', '{"x":5}', '2'],
      ['abs(x)', '{"x":-4}', '4'],
      ['x / 0', '{"x":1}', undefined],
      ['floor(x)', '{"x":"abc"}', undefined],
      ['greatest(missing, 1)', '{}', undefined],
    ];
    for (const [expr, message, value] of expressions) {
      it(`computes ${expr} on ${message} as ${value ?? 'missing'}`, () => {
        assert.deepEqual(rowsOf(`fields ${expr} as v | stats count(*) as n by v`, [message]), [
          value === undefined ? 'n=1' : `v=${value} n=1`,
        ]);
      });
    }

    const comparisons: [string, boolean][] = [
      ['x = 5', true],
      ['x != 5', false],
      ['x < 10', true],
      ['x <= 5', true],
      ['x > 5', false],
      ['x >= 5', true],
      ['s = "five"', true],
      ['missing = 1', false],
      ['missing != 1', false],
      ['ispresent(s)', true],
      ['ispresent(missing)', false],
      ['not ispresent(missing) and x > 1', true],
      ['s like /fi/', true],
      ['missing like /x/', false],
    ];
    for (const [condition, expected] of comparisons) {
      it(`filters ${condition} as ${expected}`, () => {
        assert.deepEqual(
          rowsOf(`filter ${condition} | stats count(*) as n by @log`, ['{"x":"5","s":"five"}']).length,
          expected ? 1 : 0,
        );
      });
    }
  });

  describe("deploybot's access-log query", () => {
    const lines = [
      '{"status":200,"latency_ms":30}',
      '{"status":200,"latency_ms":31}',
      '{"status":503,"latency_ms":900}',
      '{"status":404}',
      '{"status":0,"latency_ms":1}',
      '{"level":"info","msg":"started"}',
      'GET /x 200 12',
    ];
    const formats: [string, AccessLogFormat, string[]][] = [
      ['JSON', { kind: 'json', status: 'status', latency: 'latency_ms', latencyUnit: 'ms' }, lines],
      [
        'a parse glob',
        { kind: 'parse', parse: '@message "* * * *" as method, path, status, latency', latencyUnit: 's' },
        ['GET /a 200 0.03', 'GET /b 500 1.5', 'POST /c 201 -', 'INFO ready'],
      ],
      [
        'a parse regex',
        { kind: 'parse', parse: '@message /(?<status>\\d{3}) (?<latency>\\d+)ms/', latencyUnit: 'ms' },
        ['GET / 200 12ms', 'GET / 502 3000ms', 'GET / 200 12ms', 'nothing'],
      ],
    ];
    for (const [what, format, messages] of formats) {
      it(`counts ${what} lines exactly as deploybot reads them without Insights`, () => {
        const query = parseInsightsQuery(accessLogQuery(format, 5));
        const events = messages.map((message, i) => ({ timestamp: T0 + i * 100, message }));
        const result = runInsightsQuery(query, [{ name: '/ecs/a', events }], ACCOUNT);
        const rows = result.rows.map((r) => Object.fromEntries(r.map((f) => [f.field, f.value])));
        const read = accessLineReader(format);
        const expected = trafficOf(messages.map(read).filter((l) => l !== undefined));
        assert.ok(expected.requests > 0);
        assert.deepEqual(trafficOfRows(rows, 5), new Map([['/ecs/a', new Map([[T0 / 1000, expected]])]]));
      });
    }
  });

  describe('malformed queries', () => {
    const table: [string, RegExp][] = [
      ['', /Expected a command but found the end/],
      ['filter @message like /ERROR/', /without stats returns raw events/],
      ['display @timestamp, @message | stats count(*) by @log', /'display' command is not supported/],
      ['stats count(*) by @log | sort @log', /'sort' after stats/],
      ['sort @timestamp desc | stats count(*) by @log', /'sort' command is not supported/],
      ['filter @message like /x/ | limit 20', /'limit' command is not supported/],
      ['frobnicate | stats count(*) by @log', /Unknown command 'frobnicate'/],
      ['stats count(*) by @log | stats count(*) by @log', /'stats' after stats/],
      ['stats count(*) by @log |', /Expected a command but found the end/],
      ['| stats count(*) by @log', /Expected a command but found '\|'/],
      ['filter @logStream like /x/ | stats count(*) by @log', /Filtering on '@logStream' is not supported/],
      ['filter @message ~ "x" | stats count(*) by @log', /Unexpected character '~'/],
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
      ['fields sqrt(2) as x | stats count(*) by x', /function 'sqrt' is not supported/],
      ['fields 1 + 2 | stats count(*) by @log', /computed field needs a name/],
      ['fields floor(1, 2) as x | stats count(*) by x', /floor takes 1 arguments/],
      ['fields greatest() as x | stats count(*) by x', /Expected a value/],
      ['parse @message "* *" as a | stats count(*) by a', /2 '\*' but 1 names/],
      ['parse @message /(\\d+)/ | stats count(*) by @log', /names what it extracts/],
      ['parse @message 42 | stats count(*) by @log', /Expected a "glob" or \/regex\//],
      ['parse @logStream "*" as s | stats count(*) by s', /field '@logStream' is not supported/],
      ['filter ispresent(1x) | stats count(*) by @log', /Expected a field in ispresent/],
      ['filter status | stats count(*) by @log', /Expected 'like', 'not like' or a comparison/],
      ['filter status not = 1 | stats count(*) by @log', /Expected 'like', 'not like' or a comparison/],
      ['stats count(*) by @ingestionTime', /Grouping by '@ingestionTime' is not supported/],
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
