import assert from 'node:assert/strict';
import { csvCell, exportLogs, parseSince, toCsv } from '../../../src/cli/export';
import { deploymentLog } from '../../../src/domain/deployment-log';
import { LOG_COLUMNS } from '../../../src/domain/deployment-log-row';
import { InvalidRequestError } from '../../../src/domain/errors';
import { planSteps } from '../../../src/domain/plan';
import type { Release } from '../../../src/domain/release';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);

function release(overrides: Partial<Release> = {}): Release {
  return {
    id: 'r20261127t090000-aaaa',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'succeeded',
    createdAt: T0,
    updatedAt: T0,
    revision: 1,
    steps: planSteps('minor', { hasDatabase: false, hasMigration: false }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

/**
 * An RFC 4180 reader written for the test, independent of the writer: quoted
 * fields may hold commas, doubled quotes and line breaks; records end in CRLF.
 */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted) {
      field += c;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 1;
    } else {
      field += c;
    }
  }
  assert.equal(field + record.join(''), '', 'the text ends with a complete record');
  return records;
}

const HOSTILE_REVIEW = {
  by: 'U0ALICE',
  at: T0 + 3_600_000,
  wentWell: '=HYPERLINK("http://evil.test","click")',
  couldImprove: 'commas, "quotes" and\r\na second line',
  unexpectedIssues: '-2+3',
  followUpActions: '@SUM(A1:A2)',
};

describe('csvCell', () => {
  const CASES: [string, string | number | null, string][] = [
    ['nothing as an empty cell', null, ''],
    ['a number as written', 1500, '1500'],
    ['plain text as is', 'v1.2.0', 'v1.2.0'],
    ['a comma inside quotes', 'a,b', '"a,b"'],
    ['quotes doubled inside quotes', 'say "hi"', '"say ""hi"""'],
    ['a line break inside quotes', 'one\ntwo', '"one\ntwo"'],
    ['a formula after a quote, as text', '=1+1', "'=1+1"],
    ['a plus sign after a quote', '+1', "'+1"],
    ['a minus sign after a quote', '-1', "'-1"],
    ['an at sign after a quote', '@cmd', "'@cmd"],
    ['a leading tab after a quote', '\t=1', "'\t=1"],
    ['a formula with a comma: quote mark, then quoted', '=A1,B1', `"'=A1,B1"`],
  ];
  for (const [what, value, cell] of CASES) {
    it(`writes ${what}`, () => assert.equal(csvCell(value), cell));
  }
});

describe('exportLogs', () => {
  const logs = [
    deploymentLog(release({ review: HOSTILE_REVIEW }), [], []),
    deploymentLog(
      release({ id: 'r20261126t090000-bbbb', version: 'v1.1.0', createdAt: T0 - 86_400_000 }),
      [],
      [],
    ),
  ];

  it('writes CSV that an RFC 4180 reader reads back as the header and one record a release', () => {
    const text = exportLogs(logs, 'csv');
    assert.ok(text.endsWith('\r\n'));
    const [headerRow, ...records] = readCsv(text);
    assert.deepEqual(headerRow, LOG_COLUMNS);
    assert.equal(records.length, 2);
    const cell = (record: string[] | undefined, column: string) => record?.[LOG_COLUMNS.indexOf(column)];
    assert.equal(cell(records[0], 'id'), 'r20261127t090000-aaaa');
    assert.equal(cell(records[1], 'version'), 'v1.1.0');
    assert.equal(cell(records[0], 'review_could_improve'), 'commas, "quotes" and\r\na second line');
    assert.equal(cell(records[0], 'review_went_well'), `'=HYPERLINK("http://evil.test","click")`);
    assert.equal(cell(records[0], 'review_unexpected_issues'), "'-2+3");
    assert.equal(cell(records[0], 'review_follow_up_actions'), "'@SUM(A1:A2)");
    assert.equal(cell(records[1], 'review_by'), '');
    for (const record of records) assert.equal(record.length, LOG_COLUMNS.length);
  });

  it('writes JSON lines with the same columns, values as they are (no quote marks added)', () => {
    const lines = exportLogs(logs, 'jsonl').split('\n');
    assert.equal(lines.pop(), '', 'every line ends with a line break');
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      rows.map((r) => Object.keys(r)),
      [LOG_COLUMNS, LOG_COLUMNS],
    );
    assert.equal(rows[0]?.review_went_well, HOSTILE_REVIEW.wentWell);
    assert.equal(rows[1]?.review_went_well, null);
    assert.equal(rows[0]?.requested_at, '2026-11-27T09:00:00.000Z');
  });

  it('writes only the header (CSV) or nothing (JSON lines) for no releases', () => {
    assert.equal(exportLogs([], 'jsonl'), '');
    assert.deepEqual(readCsv(toCsv([])), [LOG_COLUMNS]);
  });
});

describe('parseSince', () => {
  const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
  it('takes a duration back from now', () => {
    assert.equal(parseSince('30d', NOW), NOW - 30 * 86_400_000);
    assert.equal(parseSince('12h', NOW), NOW - 12 * 3_600_000);
  });
  it('takes a UTC date', () => {
    assert.equal(parseSince('2026-11-01', NOW), Date.UTC(2026, 10, 1));
  });
  for (const bad of ['30', 'last month', '2026-13-45', '']) {
    it(`refuses "${bad}" saying what it takes`, () => {
      assert.throws(
        () => parseSince(bad, NOW),
        (e: unknown) =>
          e instanceof InvalidRequestError && /--since must be a duration like 30d/.test(e.message),
      );
    });
  }
});
