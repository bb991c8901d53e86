import assert from 'node:assert/strict';
import { insightsFilter } from '../../../src/domain/log-pattern';

describe('insightsFilter', () => {
  const cases: [string, string | undefined][] = [
    ['ERROR', '@message like /ERROR/'],
    ['  ERROR  ', '@message like /ERROR/'],
    ['ERROR timeout', '@message like /ERROR/ and @message like /timeout/'],
    ['"connection refused"', '@message like /connection refused/'],
    ['?ERROR ?FATAL', '(@message like /ERROR/ or @message like /FATAL/)'],
    ['ERROR -retry', '@message like /ERROR/ and @message not like /retry/'],
    ['ERROR -"health check"', '@message like /ERROR/ and @message not like /health check/'],
    ['%ERR(OR)?%', '@message like /ERR(OR)?/'],
    ['a.b/c(d)', '@message like /a\\.b\\/c\\(d\\)/'],
    ['"say \\"hi\\""', '@message like /say "hi"/'],
    ['', ''],
    ['{ $.level = "error" }', undefined],
    ['[ip, user, status=5*]', undefined],
  ];
  for (const [pattern, expected] of cases) {
    it(`${JSON.stringify(pattern)} → ${expected === undefined ? 'no translation' : JSON.stringify(expected)}`, () => {
      assert.equal(insightsFilter(pattern), expected);
    });
  }

  it('escapes every regular-expression character of a term, so it matches only itself', () => {
    const term = '.*+?^${}()|[]\\/';
    const filter = insightsFilter(`"${term.replace(/[\\"]/g, '\\$&')}"`) ?? '';
    const body = /^@message like \/(.*)\/$/.exec(filter)?.[1] ?? '';
    const re = new RegExp(body.replace(/\\\//g, '/'));
    assert.ok(re.test(`x${term}y`));
    assert.ok(!re.test('anything else'));
  });
});
