import assert from 'node:assert/strict';
import type { ItemStatus } from '../../../../src/domain/checklist';
import {
  STEP_NAMES,
  type Release,
  type ReleaseState,
  type StepRecord,
  type StepState,
} from '../../../../src/domain/release';
import type { Block, Message } from '../../../../src/slack/blocks/block';
import { appLockedMessage } from '../../../../src/slack/blocks/lock-message';
import { releaseMessage } from '../../../../src/slack/blocks/release-message';
import { rollbackMessage } from '../../../../src/slack/blocks/rollback-message';
import {
  errorReply,
  helpReply,
  historyReply,
  noticeReply,
  planReply,
  refusedReply,
  statusReply,
  usageReply,
} from '../../../../src/slack/blocks/replies';
import { releaseFinishedMessage, stepDetailMessage } from '../../../../src/slack/blocks/thread-messages';
import { T0, aRelease, allText, assertWithinLimits, checkboxes, statuses } from './fixtures';

const RELEASE_STATES: ReleaseState[] = ['awaiting_start', 'running', 'succeeded', 'failed', 'cancelled'];
const STEP_STATES: StepState[] = ['pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped'];

/** `length` characters that each escape to 5 (`&amp;`), the worst case for mrkdwn. */
const nasty = (length: number): string => '&<>'.repeat(Math.ceil(length / 3)).slice(0, length);
const KB100 = 100 * 1024;

/** Thousands of log lines, 100 kB in all. */
const LOG_LINES = Array.from({ length: 4000 }, (_, i) => `${i} ${nasty(20)} ERROR something <failed>`);
const ONE_LINE = nasty(KB100);

function longStep(name: StepRecord['name'], state: StepState): StepRecord {
  return {
    name,
    state,
    reason: nasty(3000),
    startedAt: T0,
    finishedAt: state === 'running' || state === 'waiting' ? undefined : T0 + 86_400_000 * 3,
    runs: 99,
    progress: { note: nasty(3000) },
    summary: nasty(3000),
    details: LOG_LINES,
    error: { code: nasty(500), message: nasty(3000) },
  };
}

/** Every field at its longest, every text at its nastiest. */
function extremeRelease(state: ReleaseState, stepState: StepState): Release {
  return aRelease({
    id: 'r'.repeat(36),
    app: nasty(255),
    environment: 'e'.repeat(255),
    version: nasty(128),
    requestedBy: `cli:${nasty(300)}`,
    state,
    startedAt: T0,
    endedAt: T0 + 3_600_000,
    steps: STEP_NAMES.map((n) => longStep(n, stepState)),
    failure: { step: 'migrate', code: nasty(300), message: nasty(3 * 1024) },
    cancelledBy: `cli:${nasty(300)}`,
    checklist: {},
  });
}

/** One section of `count` synthetic items, half ticked, some required, texts and ids at their longest. */
function bigSection(count: number, section = 'Code Quality'): ItemStatus[] {
  return Array.from({ length: count }, (_, i) => ({
    item: { id: `item-${i}-${'x'.repeat(200)}`, section, text: nasty(500) },
    state: i % 2 === 0 ? 'ticked' : 'open',
    required: i % 3 === 0,
    ...(i % 2 === 0
      ? { tick: { by: i % 4 === 0 ? `U${'Z'.repeat(80)}` : `cli:${nasty(200)}`, at: T0 } }
      : {}),
  }));
}

function manySections(sections: number, perSection: number): ItemStatus[] {
  return Array.from({ length: sections }, (_, s) => bigSection(perSection, `${nasty(300)} ${s}`)).flat();
}

const CHECKLISTS: [string, ItemStatus[]][] = [
  ['the runbook checklist, nothing ticked', statuses({})],
  ['the runbook checklist while preflight runs', statuses({}, 'pending')],
  ['40 items in one section', [...statuses({}), ...bigSection(40)]],
  ['260 items in one section', bigSection(260)],
  ['60 sections of 3 items', manySections(60, 3)],
  ['12 sections of 40 items', manySections(12, 40)],
  ['failed automated items with 500 evidence lines', failedAutomated()],
  ['no checklist at all', []],
];

function failedAutomated(): ItemStatus[] {
  return statuses({}).map((s) =>
    s.item.provedBy ? { ...s, state: 'failed', evidence: Array.from({ length: 500 }, () => nasty(400)) } : s,
  );
}

function within(message: Message, what: string): void {
  assertWithinLimits(message, what);
}

describe('Block Kit builders with extreme inputs', () => {
  it('every release state × every step state, with longest names and texts, fits', () => {
    for (const state of RELEASE_STATES) {
      for (const stepState of STEP_STATES) {
        const release = extremeRelease(state, stepState);
        const what = `${state}/${stepState}`;
        for (const onCall of [undefined, `S${'Q'.repeat(200)}`, nasty(300)]) {
          within(
            releaseMessage({
              release,
              checklist: statuses({}),
              now: T0 + 7_200_000,
              releaseNotes: nasty(5000),
              ...(onCall ? { onCall } : {}),
            }),
            `release message ${what}`,
          );
        }
        within(releaseFinishedMessage(release, T0 + 7_200_000), `finished ${what}`);
        within(stepDetailMessage(release, 'migrate', [nasty(3000), ...LOG_LINES]), `detail ${what}`);
      }
      within(
        statusReply({ releases: [extremeRelease(state, 'waiting')], related: {}, locks: [], now: T0 }),
        `status ${state}`,
      );
    }
  });

  for (const [what, checklist] of CHECKLISTS) {
    it(`awaiting start with ${what} fits`, () => {
      const out = releaseMessage({
        release: extremeRelease('awaiting_start', 'pending'),
        checklist,
        onCall: 'S0OPS',
        releaseNotes: nasty(5000),
        now: T0,
      });
      within(out, what);
      // Option objects in initial_options are the very options, so Slack accepts them.
      for (const box of checkboxes(out)) {
        const options = box.options as Block[];
        for (const initial of (box.initial_options as Block[] | undefined) ?? []) {
          assert.deepEqual(
            initial,
            options.find((o) => o.value === initial.value),
          );
        }
      }
      const ids = checkboxes(out).map((b) => b.action_id);
      assert.equal(new Set(ids).size, ids.length, 'checkbox action_ids are unique in the message');
      assert.ok(out.blocks.some((b) => b.type === 'actions' && JSON.stringify(b).includes('release_start')));
    });
  }

  it('splits 40 items of one section into checkbox groups of at most 10', () => {
    const out = releaseMessage({ release: aRelease(), checklist: bigSection(40), now: T0 });
    assert.deepEqual(
      checkboxes(out).map((b) => (b.options as Block[]).length),
      [10, 10, 10, 10],
    );
    assert.equal(
      out.blocks.filter((b) => b.type === 'actions').length,
      2,
      'one checkbox block, one for buttons',
    );
  });

  it('says how many checklist items did not fit', () => {
    const out = releaseMessage({ release: aRelease(), checklist: manySections(60, 3), now: T0 });
    assert.match(allText(out), /… \d+ more checklist items in \d+ sections not shown/);
  });

  it('trims release notes with a visible note', () => {
    const out = releaseMessage({
      release: aRelease(),
      checklist: [],
      releaseNotes: 'n'.repeat(5000),
      now: T0,
    });
    assert.match(allText(out), /_… 3,\d{3} more characters trimmed_/);
  });

  it('trims a 3 kB failure message with a visible note', () => {
    const release = aRelease({ state: 'failed', failure: { code: 'X', message: 'm'.repeat(3 * 1024) } });
    assert.match(allText(releaseMessage({ release, checklist: [], now: T0 })), /more characters trimmed/);
  });

  it('keeps a 100 kB log tail (one single line, too) within a section', () => {
    const release = aRelease();
    const lines = stepDetailMessage(release, 'migrate', ['exited 1', ...LOG_LINES]);
    within(lines, 'log lines');
    assert.match(allText(lines), /… 3,\d{3} earlier lines not shown/);
    const single = stepDetailMessage(release, 'migrate', ['exited 1', ONE_LINE]);
    within(single, 'one line');
    assert.match(allText(single), /… \d{2,3},\d{3} more characters trimmed/);
    within(stepDetailMessage(release, 'migrate', [ONE_LINE]), 'one line as title');
  });

  it('replies fit whatever they are given', () => {
    const many = Array.from({ length: 2000 }, (_, i) =>
      extremeRelease(RELEASE_STATES[i % 5] as ReleaseState, STEP_STATES[i % 6] as StepState),
    );
    const replies: [string, Message][] = [
      ['usage', usageReply(nasty(KB100), LOG_LINES.join('\n'))],
      ['help', helpReply(ONE_LINE)],
      ['error', errorReply(ONE_LINE)],
      ['plan', planReply(LOG_LINES.join('\n'))],
      ['status', statusReply({ releases: many, related: {}, locks: [], now: T0 })],
      ['history', historyReply(nasty(255), many)],
      ['empty history', historyReply(nasty(255), [])],
      ['refused', refusedReply(`only ${'<!subteam^S1> '.repeat(1000)} may ${nasty(KB100)}`)],
      ['notice', noticeReply(`${'<@U1> '.repeat(5000)}`)],
      ['notice of nothing', noticeReply('')],
      ['error of nothing', errorReply('')],
    ];
    for (const [what, out] of replies) within(out, what);
    assert.match(
      allText(statusReply({ releases: many, related: {}, locks: [], now: T0 })),
      /… 1,\d{3} more releases not shown/,
    );
  });

  it('a reverted release and its rollback fit, at every stage of the rollback', () => {
    for (const rollbackState of RELEASE_STATES) {
      const rollback: Release = {
        ...extremeRelease(rollbackState, 'failed'),
        id: 'b'.repeat(36),
        startedBy: `cli:${nasty(300)}`,
        rollbackOf: {
          releaseId: 'r'.repeat(36),
          version: nasty(128),
          requestedBy: `cli:${nasty(300)}`,
          reason: nasty(5000),
        },
        proposal: { expects: {}, approvedBy: { by: `cli:${nasty(300)}`, at: T0 } },
        facts: {
          previousTaskDefinitions: {},
          targetTaskDefinitions: Object.fromEntries(
            Array.from({ length: 200 }, (_, i) => [`${nasty(200)}${i}`, `arn:${nasty(300)}:${i}`]),
          ),
          rollbackProposal: nasty(5000),
        },
      };
      const reverted: Release = {
        ...extremeRelease('rolled_back', 'running'),
        rolledBackBy: rollback.id,
        facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {}, rollbackProposal: nasty(5000) },
      };
      const what = `rollback ${rollbackState}`;
      within(releaseMessage({ release: reverted, rollback, checklist: [], now: T0 }), `message, ${what}`);
      within(releaseFinishedMessage(reverted, T0, rollback), `reverted closing, ${what}`);
      within(releaseFinishedMessage(rollback, T0, reverted), `rollback closing, ${what}`);
      within(stepDetailMessage(rollback, 'deploy', [nasty(3000), ...LOG_LINES]), `detail, ${what}`);
      within(rollbackMessage({ release: rollback, approvers: [], now: T0 }), `rollback message, ${what}`);
      within(
        statusReply({
          releases: [reverted, rollback],
          related: { [rollback.id]: rollback, [reverted.id]: reverted },
          locks: [],
          now: T0,
        }),
        `status, ${what}`,
      );
    }
  });

  it('a running release with a rollback proposed fits', () => {
    const release = extremeRelease('running', 'running');
    release.facts.rollbackProposal = nasty(KB100);
    within(releaseMessage({ release, checklist: [], now: T0 }), 'proposal line');
  });

  it('locks fit: the announcement, and many of them in /deploy status beside many releases', () => {
    const lock = {
      app: nasty(255),
      environment: 'e'.repeat(255),
      by: `cli:${nasty(300)}`,
      reason: nasty(KB100),
      at: T0,
    };
    within(appLockedMessage(lock, T0), 'lock announcement');
    within(appLockedMessage({ ...lock, at: Number.NaN }, Number.NaN), 'lock at no time');
    const locks = Array.from({ length: 500 }, () => ({ ...lock, since: T0 }));
    const releases = Array.from({ length: 2000 }, () => extremeRelease('running', 'waiting'));
    const out = statusReply({ releases, related: {}, locks, now: T0 });
    within(out, 'status with 500 locks');
    assert.match(allText(out), /\*Locks\* \(500 locks\)/);
    assert.match(allText(out), /more locks not shown/);
    within(statusReply({ releases: [], related: {}, locks, now: T0 }), 'only locks');
  });

  it('a refusal with a long rule still gives its help', () => {
    const out = refusedReply(
      `only ${'<!subteam^S1> '.repeat(1000)} may ${nasty(KB100)}`,
      `/deploy ${nasty(KB100)}`,
    );
    within(out, 'refusal with help');
    assert.match(out.text, /\. Try \/deploy /);
  });

  it('survives a clock reading that is not a time', () => {
    within(
      releaseMessage({ release: extremeRelease('running', 'running'), checklist: [], now: Number.NaN }),
      'NaN clock',
    );
    within(historyReply('backend', [aRelease({ createdAt: Number.NaN })]), 'NaN createdAt');
  });
});
