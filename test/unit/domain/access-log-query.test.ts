import assert from 'node:assert/strict';
import { accessLineReader, globRegex, parseClause } from '../../../src/domain/access-log-lines';
import { accessLogQuery, fieldName, trafficOfRows } from '../../../src/domain/access-log-query';
import { latencyBucket, trafficOf } from '../../../src/domain/traffic';
import type { AccessLogFormat } from '../../../src/ports/access-logs';

const JSON_MS: AccessLogFormat = { kind: 'json', status: 'status', latency: 'latency_ms', latencyUnit: 'ms' };

describe('access-log query (Logs Insights)', () => {
  const table: [string, AccessLogFormat, number, string][] = [
    [
      'JSON, latency in ms',
      JSON_MS,
      5,
      'filter ispresent(status) | fields floor(status / 100) as status_class, ' +
        'ceil(log(greatest(latency_ms, 1)) * 10) as latency_bucket | ' +
        'stats count(*) as requests by @log, bin(5s), status_class, latency_bucket',
    ],
    [
      'JSON with nested paths, latency in seconds',
      { kind: 'json', status: 'http.status', latency: 'http.duration', latencyUnit: 's' },
      60,
      'filter ispresent(http.status) | fields floor(http.status / 100) as status_class, ' +
        'ceil(log(greatest(http.duration * 1000, 1)) * 10) as latency_bucket | ' +
        'stats count(*) as requests by @log, bin(60s), status_class, latency_bucket',
    ],
    [
      'a parse clause, first',
      { kind: 'parse', parse: ' @message "* * * *" as method, path, status, latency ', latencyUnit: 'ms' },
      5,
      'parse @message "* * * *" as method, path, status, latency | filter ispresent(status) | ' +
        'fields floor(status / 100) as status_class, ceil(log(greatest(latency, 1)) * 10) as latency_bucket | ' +
        'stats count(*) as requests by @log, bin(5s), status_class, latency_bucket',
    ],
  ];
  for (const [what, format, bin, query] of table) {
    it(`builds the query for ${what}`, () => assert.equal(accessLogQuery(format, bin), query));
  }

  it('quotes field names Insights would not read bare, and refuses bins that are not whole seconds', () => {
    assert.equal(fieldName('http.status'), 'http.status');
    assert.equal(fieldName('@status'), '@status');
    assert.equal(fieldName('latency-ms'), '`latency-ms`');
    assert.throws(() => accessLogQuery(JSON_MS, 0.5), RangeError);
    assert.throws(() => accessLogQuery(JSON_MS, 0), RangeError);
  });

  it('reads rows into group → bin → traffic: 5xx and status 0 are errors, a row without latency still counts', () => {
    const row = (group: string, bin: string, cls: string, lb: string | undefined, n: string) => ({
      '@log': `123456789012:${group}`,
      'bin(5s)': bin,
      status_class: cls,
      ...(lb !== undefined && { latency_bucket: lb }),
      requests: n,
    });
    const t = Date.UTC(2026, 10, 18, 7, 6, 40) / 1000;
    const out = trafficOfRows(
      [
        row('/ecs/a', '2026-11-18 07:06:40.000', '2', '34', '10'),
        row('/ecs/a', '2026-11-18 07:06:40.000', '5', '40', '2'),
        row('/ecs/a', '2026-11-18 07:06:40.000', '2', undefined, '3'),
        row('/ecs/a', '2026-11-18 07:06:40.000', '0', '0', '1'),
        row('/ecs/a', '2026-11-18 07:06:45.000', '4', '34', '4'),
        row('/ecs/b', '2026-11-18 07:06:40.000', '2', '34', '1'),
        { '@log': '1:/ecs/c', 'bin(5s)': 'not a time', status_class: '2', requests: '1' },
        { '@log': '1:/ecs/c', 'bin(5s)': '2026-11-18 07:06:40.000', requests: '1' },
        { '@log': '1:/ecs/c', 'bin(5s)': '2026-11-18 07:06:40.000', status_class: '2', requests: 'x' },
      ],
      5,
    );
    assert.deepEqual(
      out,
      new Map([
        [
          '/ecs/a',
          new Map([
            [t, { requests: 16, errors: 3, latency: { '34': 10, '40': 2 } }],
            [t + 5, { requests: 4, errors: 0, latency: { '34': 4 } }],
          ]),
        ],
        ['/ecs/b', new Map([[t, { requests: 1, errors: 0, latency: { '34': 1 } }]])],
      ]),
    );
  });
});

describe('access-log lines read locally (the fallback)', () => {
  it('reads JSON lines by flattened dotted paths, converting seconds, skipping lines without a status', () => {
    const read = accessLineReader({
      kind: 'json',
      status: 'http.status',
      latency: 'http.t',
      latencyUnit: 's',
    });
    assert.deepEqual(read('{"http":{"status":503,"t":0.25}}'), { status: 503, latencyMs: 250 });
    assert.deepEqual(read('{"http":{"status":"200"}}'), { status: 200 });
    assert.deepEqual(read('{"http.status":200,"http":{"t":"0.01"}}'), { status: 200, latencyMs: 10 });
    assert.equal(read('{"http":{"code":200}}'), undefined);
    assert.equal(read('{"http":{"status":"OK"}}'), undefined);
    assert.equal(read('GET / 200 12'), undefined);
    assert.equal(read('{"broken": '), undefined);
    const arrays = accessLineReader({ kind: 'json', status: 'a.1.s', latency: 'l', latencyUnit: 'ms' });
    assert.deepEqual(arrays('{"a":[{"s":1},{"s":404}],"l":3}'), { status: 404, latencyMs: 3 });
  });

  it('reads plain lines with a glob parse clause, matched anywhere, the last * taking the rest', () => {
    const read = accessLineReader({
      kind: 'parse',
      parse: '@message "* - [*] * *ms" as path, status, method, latency',
      latencyUnit: 'ms',
    });
    assert.deepEqual(read('10.0.0.1 /orders - [502] GET 31ms'), { status: 502, latencyMs: 31 });
    assert.equal(read('INFO started'), undefined);
    const tail = accessLineReader({
      kind: 'parse',
      parse: '"status=* latency=*" as status, latency',
      latencyUnit: 's',
    });
    assert.deepEqual(tail('x status=200 latency=0.5'), { status: 200, latencyMs: 500 });
  });

  it('reads plain lines with a regex parse clause of named groups', () => {
    const read = accessLineReader({
      kind: 'parse',
      parse: '@message /(?<status>\\d{3}) (?<latency>[\\d.]+)ms$/',
      latencyUnit: 'ms',
    });
    assert.deepEqual(read('GET /x 200 12.5ms'), { status: 200, latencyMs: 12.5 });
    assert.equal(read('GET /x ok'), undefined);
  });

  it('translates globs literally except for *', () => {
    assert.equal(globRegex('* - [*] *').source, '(.*?) - \\[(.*?)\\] (.*)');
    assert.equal(globRegex('a.b=*;').source, 'a\\.b=(.*?);');
  });

  const refused: [string, RegExp][] = [
    ['@message "* *" as status', /needs as many field names/],
    ['@message "* *" as status, 1latency', /needs as many field names/],
    ['@message "*', /unterminated glob/],
    ['@message /(/', /invalid regular expression/],
    ['@message /x/ trailing', /unexpected text/],
    ['@message status', /expected "<glob>" as fields or \/regex\//],
  ];
  for (const [clause, why] of refused) {
    it(`refuses the parse clause ${clause}`, () => assert.throws(() => parseClause(clause), why));
  }

  it('refuses a parse clause over another field than @message', () => {
    assert.throws(
      () => accessLineReader({ kind: 'parse', parse: 'url "* *" as status, latency', latencyUnit: 'ms' }),
      (err: unknown) => err instanceof Error && 'code' in err && err.code === 'access_log_format',
    );
  });

  it('counts the same lines the same way as the query does (buckets, errors)', () => {
    const read = accessLineReader(JSON_MS);
    const lines = ['{"status":200,"latency_ms":30}', '{"status":500,"latency_ms":0.2}', '{"status":0}'];
    const traffic = trafficOf(lines.map(read).filter((l) => l !== undefined));
    assert.deepEqual(traffic, {
      requests: 3,
      errors: 2,
      latency: { [String(latencyBucket(30))]: 1, '0': 1 },
    });
  });
});
