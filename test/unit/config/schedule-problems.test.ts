import assert from 'node:assert/strict';
import { validate } from '../../../src/config/config-problems';
import { parseConfig } from '../../../src/config/load';
import { readYaml } from '../../../src/config/read-yaml';
import { scheduleSchema } from '../../../src/config/schedule-schema';
import { ConfigError } from '../../../src/domain/errors';

/**
 * Schedule mistakes as people make them (issue 11: release windows and
 * freezes), each pinned to the one line `deploybot check-config` prints, as
 * config-problems.test.ts does for the other settings.
 */

/** The backend app, its production environment with `schedule` (YAML flow or block text, indented to fit). */
function withSchedule(schedule: string): string {
  return `apps:
  backend:
    environments:
      production:
        cluster: production-cluster
        services: [{ name: web, containers: [web] }]
        logs: { group: /ecs/web }
        health: { url: "https://production.example.com", endpoints: [/health] }
        schedule:
${schedule
  .trim()
  .split('\n')
  .map((line) => `          ${line}`)
  .join('\n')}
`;
}

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'deploybot.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

const S = 'apps.backend.environments.production.schedule';
const BERLIN = 'timeZone: Europe/Berlin';

const MISTAKES: [string, string, string][] = [
  [
    'a misspelt time zone, with the name it most likely meant',
    'timeZone: Europe/Berln',
    `${S}.timeZone: an IANA time zone like Europe/Berlin; 'Europe/Berln' is not one (did you mean Europe/Berlin?)`,
  ],
  [
    'a fixed offset instead of a place',
    'timeZone: "+01:00"',
    `${S}.timeZone: an IANA time zone like Europe/Berlin; '+01:00' is not one`,
  ],
  ['no time zone', 'windows: { minor: [] }', `${S}.timeZone: required`],
  [
    'a misspelt release type',
    `${BERLIN}\nwindows: { minr: [] }`,
    `${S}.windows.minr: unknown setting (did you mean minor?)`,
  ],
  [
    'a single window where a list belongs',
    `${BERLIN}\nwindows: { minor: { days: mon-fri, from: "09:00", to: "17:00" } }`,
    `${S}.windows.minor: a list of windows, each { days: mon-fri, from: "09:00", to: "17:00" }`,
  ],
  [
    'a misspelt day in a range',
    `${BERLIN}\nwindows: { minor: [{ days: mon-fir, from: "09:00", to: "17:00" }] }`,
    `${S}.windows.minor[0].days: days like mon-fri, sat, daily or [mon, wed]; 'fir' is not a day`,
  ],
  [
    'a time written the American way',
    `${BERLIN}\nwindows: { minor: [{ days: mon-fri, from: 9am, to: "17:00" }] }`,
    `${S}.windows.minor[0].from: a time of day like "09:00" (24-hour clock)`,
  ],
  [
    'an hour past the end of the day',
    `${BERLIN}\nwindows: { minor: [{ days: mon-fri, from: "09:00", to: "25:00" }] }`,
    `${S}.windows.minor[0].to: a time of day like "17:00" (24-hour clock), or "24:00" for the end of the day`,
  ],
  [
    'a window that ends when it starts',
    `${BERLIN}\nwindows: { major: [{ days: sat, from: "00:00", to: "24:00" }, { days: sun, from: "02:00", to: "02:00" }] }`,
    `${S}.windows.major[1].to: the same time as from: a span needs a length (a to before from crosses midnight)`,
  ],
  [
    'a freeze without its reason',
    `${BERLIN}\nfreezes: [{ from: "2026-12-20 00:00", to: "2027-01-04 00:00" }]`,
    `${S}.freezes[0].reason: required`,
  ],
  [
    'a weekly freeze that forgot its days',
    `${BERLIN}\nfreezes: [{ from: "15:00", to: "24:00", reason: "no Friday-afternoon deploys" }]`,
    `${S}.freezes[0].from: a date and time like "2026-12-20 00:00" (in timeZone, or with an offset like +01:00); for a weekly freeze, add days, e.g. days: fri`,
  ],
  [
    'a one-off freeze without its time',
    `${BERLIN}\nfreezes: [{ from: "2026-12-20", to: "2027-01-04 00:00", reason: holiday freeze }]`,
    `${S}.freezes[0].from: a date and time like "2026-12-20 00:00" (in timeZone, or with an offset like +01:00)`,
  ],
  [
    'a date that the calendar lacks',
    `${BERLIN}\nfreezes: [{ from: "2026-12-20 00:00", to: "2027-02-30 00:00", reason: holiday freeze }]`,
    `${S}.freezes[0].to: a date and time like "2026-12-20 00:00" (in timeZone, or with an offset like +01:00)`,
  ],
  [
    'a weekly freeze given a date',
    `${BERLIN}\nfreezes: [{ days: fri, from: "2026-12-20 15:00", to: "24:00", reason: friday }]`,
    `${S}.freezes[0].from: a time of day like "09:00" (24-hour clock), as days makes this freeze recur`,
  ],
  [
    'a freeze ending before it starts',
    `${BERLIN}\nfreezes: [{ from: "2027-01-04 00:00", to: "2026-12-20 00:00", reason: holiday freeze }]`,
    `${S}.freezes[0].to: not after from: a freeze ends after it starts`,
  ],
  [
    'a misspelt release type among the exceptions',
    `${BERLIN}\nfreezes: [{ days: fri, from: "15:00", to: "24:00", reason: friday, except: [hotfx] }]`,
    `${S}.freezes[0].except[0]: one of: hotfix, minor, major`,
  ],
];

describe('schedule problems, one readable line each', () => {
  for (const [what, schedule, expected] of MISTAKES) {
    it(`tells ${what}`, () => {
      assert.deepEqual(problemsOf(withSchedule(schedule)), [expected]);
    });
  }

  it('takes the issue’s example schedule', () => {
    const text = withSchedule(`
timeZone: Europe/Berlin
windows:
  minor: [{ days: mon-fri, from: "09:00", to: "17:00" }]
  major: [{ days: sat, from: "02:00", to: "06:00" }]
freezes:
  - { from: "2026-12-20 00:00", to: "2027-01-04 00:00", reason: "holiday freeze" }
  - { days: fri, from: "15:00", to: "24:00", reason: "no Friday-afternoon deploys", except: [hotfix] }
`);
    assert.doesNotThrow(() => parseConfig(text, 'deploybot.yaml'));
  });
});

/** The schedule a YAML text reads as, or its problems. */
function scheduleOf(text: string) {
  const result = validate(scheduleSchema, readYaml(text, 'schedule'));
  if (!result.ok) assert.fail(result.problems.join('\n'));
  return result.value;
}

describe('a valid schedule, as the domain receives it', () => {
  it('reads days, times of day and types, and places one-off freezes in the schedule’s zone', () => {
    assert.deepEqual(
      scheduleOf(`
timeZone: europe/berlin
windows:
  minor: [{ days: mon-fri, from: "09:00", to: "17:00" }, { days: [Sat, wed], from: "22:00", to: "02:00" }]
  major: [{ days: daily, from: "00:00", to: "24:00" }]
  hotfix: []
freezes:
  - { from: "2026-12-20 00:00", to: "2027-01-04 00:00", reason: holiday freeze }
  - { from: "2026-07-01T00:00:00Z", to: "2026-07-02 00:00+02:00", reason: audit }
  - { days: fri-mon, from: "15:00", to: "24:00", reason: long weekend, except: [hotfix] }
`),
      {
        timeZone: 'Europe/Berlin',
        windows: {
          minor: [
            { days: [1, 2, 3, 4, 5], from: 540, to: 1020 },
            { days: [3, 6], from: 1320, to: 120 },
          ],
          major: [{ days: [0, 1, 2, 3, 4, 5, 6], from: 0, to: 1440 }],
          hotfix: [],
        },
        freezes: [
          {
            kind: 'once',
            from: Date.parse('2026-12-19T23:00:00Z'),
            to: Date.parse('2027-01-03T23:00:00Z'),
            reason: 'holiday freeze',
            except: [],
          },
          {
            kind: 'once',
            from: Date.parse('2026-07-01T00:00:00Z'),
            to: Date.parse('2026-07-01T22:00:00Z'),
            reason: 'audit',
            except: [],
          },
          {
            kind: 'recurring',
            days: [0, 1, 5, 6],
            from: 900,
            to: 1440,
            reason: 'long weekend',
            except: ['hotfix'],
          },
        ],
      },
    );
  });

  it('places a one-off edge on summer time when the date is in summer', () => {
    const schedule = scheduleOf(
      'timeZone: America/New_York\nfreezes: [{ from: "2026-07-03 17:00", to: "2026-07-06 09:00", reason: July 4th }]',
    );
    assert.equal(
      schedule.freezes[0]?.kind === 'once' && schedule.freezes[0].from,
      Date.parse('2026-07-03T21:00:00Z'),
    );
  });

  it('needs nothing but the time zone', () => {
    assert.deepEqual(scheduleOf('timeZone: Australia/Sydney'), {
      timeZone: 'Australia/Sydney',
      windows: {},
      freezes: [],
    });
  });
});
