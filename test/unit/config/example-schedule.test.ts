import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../../src/config/load';
import { judgeSchedule } from '../../../src/domain/schedule/schedule-verdict';

/**
 * deploybot.example.yaml shows a schedule commented out (so that the example,
 * which many tests load, answers the same at any hour). Uncommented, it must
 * still be a valid configuration that says what its comments say.
 */
describe('the example configuration’s schedule, uncommented', () => {
  const lines = readFileSync('deploybot.example.yaml', 'utf8').split('\n');
  const start = lines.findIndex((line) => line === '        # schedule:');
  assert.ok(start >= 0, 'the example shows a schedule');
  let end = start;
  while (end + 1 < lines.length && /^ {8}# {3,}/.test(lines[end + 1] ?? '')) end++;
  const text = lines
    .map((line, i) => (i >= start && i <= end ? line.replace(/^( {8})# /, '$1') : line))
    .join('\n');
  const config = parseConfig(text, 'deploybot.example.yaml, schedule uncommented');
  const schedule = config.apps.backend?.environments.production?.schedule;
  const at = (iso: string) => Date.parse(iso);

  it('parses, in Europe/Berlin', () => {
    assert.equal(schedule?.timeZone, 'Europe/Berlin');
  });

  it('lets a minor release start on a Tuesday at 10:00 Berlin time, not at 18:00', () => {
    assert.equal(judgeSchedule(schedule, 'minor', at('2026-12-01T09:00:00Z'), 'production').allowed, true);
    const late = judgeSchedule(schedule, 'minor', at('2026-12-01T17:00:00Z'), 'production');
    assert.equal(late.allowed, false);
    assert.equal(!late.allowed && late.nextAllowedAt, at('2026-12-02T08:00:00Z'));
  });

  it('stops minor releases on Friday afternoon but lets a hotfix through; the year-end freeze stops both', () => {
    const friday = at('2026-12-04T15:00:00Z'); // 16:00 in Berlin
    assert.equal(judgeSchedule(schedule, 'minor', friday, 'production').allowed, false);
    assert.equal(judgeSchedule(schedule, 'hotfix', friday, 'production').allowed, true);
    const christmas = at('2026-12-24T10:00:00Z');
    const verdict = judgeSchedule(schedule, 'hotfix', christmas, 'production');
    assert.equal(verdict.allowed, false);
    assert.match(!verdict.allowed ? verdict.rule : '', /year-end freeze/);
  });
});
