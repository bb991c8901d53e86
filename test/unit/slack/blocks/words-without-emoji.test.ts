import assert from 'node:assert/strict';
import { STEP_NAMES, type Release, type StepRecord, type StepState } from '../../../../src/domain/release';
import type { Message } from '../../../../src/slack/blocks/block';
import { appLockedMessage } from '../../../../src/slack/blocks/lock-message';
import { STEP_WORDS, stepStateWords } from '../../../../src/slack/blocks/release-format';
import { releaseMessage } from '../../../../src/slack/blocks/release-message';
import { historyReply, refusedReply, statusReply } from '../../../../src/slack/blocks/replies';
import { rollbackMessage } from '../../../../src/slack/blocks/rollback-message';
import { releaseFinishedMessage, stepDetailMessage } from '../../../../src/slack/blocks/thread-messages';
import { T0, aRelease, allText, statuses, withSteps } from './fixtures';
import {
  APPROVED,
  BAD_ID,
  CLOSINGS,
  ROLLBACK_ID,
  approved,
  badRelease,
  closedProposal,
  databaseRollback,
  failedRollback,
  proposedFor,
  revertedRelease,
  runningRollback,
  serviceRollback,
  succeededRollback,
} from './incident';

/**
 * A client without an emoji font shows every emoji as a blank box, and a screen
 * reader may skip them: with all of them (and every :shortcode:) taken out,
 * each message must still say, in words, the state of each step it lists and
 * of the release it is about.
 */
const EMOJI = /\p{Extended_Pictographic}|\u{FE0F}|\u{200D}|\u{20E3}/gu;
const SHORTCODE = /:[a-z0-9_+-]+:/g;
const withoutEmoji = (text: string) => text.replace(EMOJI, '').replace(SHORTCODE, '');

const NOW = APPROVED + 120_000;

/** One step in each state, the failed one with its error. */
const STATE_OF: Partial<Record<StepRecord['name'], StepState>> = {
  preflight: 'succeeded',
  backup: 'skipped',
  baseline: 'failed',
  migrate: 'running',
  deploy: 'waiting',
  verify: 'pending',
};
function everyStepState(overrides: Partial<Release> = {}): Release {
  return withSteps(aRelease({ state: 'running', startedAt: T0, ...overrides }), {
    preflight: { state: 'succeeded', startedAt: T0, finishedAt: T0 + 12_000, summary: '9 checks passed' },
    backup: { state: 'skipped', reason: 'no database configured' },
    baseline: {
      state: 'failed',
      startedAt: T0,
      finishedAt: T0 + 5_000,
      error: { code: 'BASELINE_FAILED', message: 'no metrics for the last 10 minutes' },
    },
    migrate: { state: 'running', startedAt: T0, progress: { note: 'alembic upgrade head' } },
    deploy: { state: 'waiting', startedAt: T0, progress: { note: 'backend-service: 1/2 tasks' } },
  });
}

interface Case {
  what: string;
  message: Message;
  /** The release whose step lines the message lists, if it lists them. */
  steps?: Release;
  /** The words that must say the release's (or the post's) state. */
  says: RegExp;
}

const releaseCase = (what: string, release: Release, says: RegExp, rollback?: Release): Case => ({
  what: `release message, ${what}`,
  message: releaseMessage({
    release,
    checklist: statuses(),
    now: NOW,
    ...(rollback ? { rollback } : {}),
  }),
  ...(release.state === 'awaiting_start' ? {} : { steps: release }),
  says,
});
const proposalCase = (what: string, release: Release, says: RegExp): Case => ({
  what: `rollback message, ${what}`,
  message: rollbackMessage({ release, approvers: ['S0SRE'], now: NOW, liveDatabase: 'social-analytics-db' }),
  ...(release.startedBy ? { steps: release } : {}),
  says,
});
const finishedCase = (what: string, release: Release, says: RegExp, related?: Release): Case => ({
  what: `closing post, ${what}`,
  message: releaseFinishedMessage(release, NOW, related),
  ...(release.proposal?.closed ? {} : { steps: release }),
  says,
});

const failedRelease = everyStepState({
  state: 'failed',
  endedAt: T0 + 60_000,
  failure: { step: 'baseline', code: 'BASELINE_FAILED', message: 'no metrics for the last 10 minutes' },
});
const expired = aRelease({
  state: 'cancelled',
  cancelledBy: 'deploybot',
  expired: { afterMs: 7_200_000, at: T0 },
});
const declined = serviceRollback({ state: 'cancelled', cancelledBy: 'U0APPROVER', endedAt: APPROVED });
const restoreOnce = databaseRollback({ action: 'restore', restoreInto: 'db-copy', confirmedBy: approved });
const claimed = serviceRollback({ proposal: { expects: {}, approvedBy: approved } });

const CASES: Case[] = [
  releaseCase('awaiting start', aRelease(), /\*State\*: +awaiting start/),
  releaseCase('running, every step state', everyStepState(), /\*State\*: +running/),
  releaseCase('running, rollback proposed', proposedFor(), /\*State\*: +running[^]*Rollback proposed/),
  releaseCase(
    'succeeded',
    { ...badRelease(), state: 'succeeded', endedAt: NOW },
    /\*State\*: +succeeded[^]*Released in/,
  ),
  releaseCase('failed', failedRelease, /\*State\*: +failed[^]*Failed at \*baseline\*/),
  releaseCase(
    'cancelled',
    aRelease({ state: 'cancelled', cancelledBy: 'U0CAROL' }),
    /\*State\*: +cancelled[^]*Cancelled by/,
  ),
  releaseCase('expired', expired, /\*State\*: +cancelled[^]*Expired: nobody pressed Start/),
  releaseCase(
    'rolling back',
    revertedRelease(),
    /\*State\*: +rolling back[^]*Rolling back: rollback/,
    runningRollback(),
  ),
  releaseCase(
    'rolled back',
    revertedRelease(),
    /\*State\*: +rolled back[^]*Rolled back: rollback/,
    succeededRollback(),
  ),
  releaseCase(
    'rollback failed',
    revertedRelease(),
    /\*State\*: +rollback failed[^]*Rollback failed: rollback/,
    failedRollback(),
  ),
  proposalCase('proposed', serviceRollback(), /State:\* +awaiting approval/),
  proposalCase(
    'migration rollback proposed',
    databaseRollback({ action: 'downgrade' }),
    /State:\* +awaiting approval/,
  ),
  proposalCase('restore proposed', databaseRollback({ action: 'restore' }), /State:\* +awaiting approval/),
  proposalCase(
    'restore confirmed once',
    restoreOnce,
    /State:\* +awaiting second confirmation[^]*First confirmation by/,
  ),
  proposalCase('approved, starting', claimed, /State:\* +running[^]*Approved by/),
  proposalCase('running', runningRollback(), /State:\* +running/),
  proposalCase('succeeded', succeededRollback(), /State:\* +succeeded[^]*Finished in 1m 07s/),
  proposalCase('failed', failedRollback(), /State:\* +failed[^]*Failed at \*deploy\*/),
  proposalCase('declined', declined, /State:\* +cancelled[^]*Kept running: rejected by/),
  ...CLOSINGS.map(([how, text]) =>
    proposalCase(how, closedProposal(how, text), new RegExp(`State:\\* +${how}[^]*${how}`, 'i')),
  ),
  finishedCase('released', { ...badRelease(), state: 'succeeded', endedAt: NOW }, /released in/),
  finishedCase('failed', failedRelease, /failed at \*baseline\*/),
  finishedCase('cancelled', aRelease({ state: 'cancelled', cancelledBy: 'U0CAROL' }), /cancelled by/),
  finishedCase('expired', expired, /expired: nobody pressed Start/),
  finishedCase('reverted, rolling back', revertedRelease(), /: rolling back \(rollback/, runningRollback()),
  finishedCase('reverted, rolled back', revertedRelease(), /: rolled back \(rollback/, succeededRollback()),
  finishedCase(
    'reverted, rollback failed',
    revertedRelease(),
    /: rollback failed \(rollback/,
    failedRollback(),
  ),
  finishedCase(
    'rollback finished',
    succeededRollback(),
    /finished in 1m 07s: backend-service back on/,
    revertedRelease(),
  ),
  finishedCase('rollback failed', failedRollback(), /Rollback of .* failed at \*deploy\*/, revertedRelease()),
  finishedCase('rollback declined', declined, /Rollback of .* declined by/),
  ...CLOSINGS.map(([how, text]) =>
    finishedCase(`proposal ${how}`, closedProposal(how, text), new RegExp(how, 'i')),
  ),
  ...(Object.entries(STATE_OF) as [StepRecord['name'], StepState][]).map(([name, state]) => ({
    what: `thread detail of a ${state} step`,
    message: stepDetailMessage(everyStepState(), name, [`${name} says something`, 'a detail line']),
    says: new RegExp(`^ *${STEP_WORDS[state]} · \\*${name} says something\\*`, 'm'),
  })),
  {
    what: 'thread detail of a rollback step',
    message: stepDetailMessage(runningRollback(), 'deploy', ['1/2 tasks']),
    says: /^ *waiting · \*Rollback r20261127t180000-beef · deploy: 1\/2 tasks\*/m,
  },
  {
    what: 'lock announcement',
    message: appLockedMessage(
      { app: 'backend', environment: 'production', by: 'U0APPROVER', reason: 'rolled back', at: APPROVED },
      NOW,
    ),
    says: /locked backend\/production: rolled back — by <@U0APPROVER>, since <!date[^>]+>\. Unlock with `\/deploy unlock backend production`/,
  },
  {
    what: '/deploy status',
    message: statusReply({
      releases: [everyStepState(), revertedRelease(), runningRollback(), serviceRollback({ id: 'r-other' })],
      related: { [ROLLBACK_ID]: runningRollback(), [BAD_ID]: revertedRelease() },
      locks: [
        {
          app: 'backend',
          environment: 'production',
          by: 'U0APPROVER',
          reason: 'rolled back',
          since: APPROVED,
        },
      ],
      now: NOW,
    }),
    says: /^ *running: baseline failed[^]*^ *rolling back \(rollback[^]*^ *running \(approved by[^]*^ *awaiting approval · Rollback of[^]*locked backend\/production/m,
  },
  {
    what: '/deploy history',
    message: historyReply('backend', [revertedRelease(), failedRelease, serviceRollback()]),
    says: /rolled back[^]*failed[^]*awaiting approval/,
  },
  {
    what: 'a refusal',
    message: refusedReply('backend/production is locked', '/deploy unlock backend production'),
    says: /You can't do that: backend\/production is locked\nTry `\/deploy unlock backend production`/,
  },
];

describe('every message, read without emoji', () => {
  for (const { what, message, steps, says } of CASES) {
    it(`${what}: still says its state and each step's state in words`, () => {
      const blocks = withoutEmoji(allText(message));
      assert.match(blocks, says, blocks);
      for (const step of steps?.steps ?? []) {
        const line = new RegExp(`^ *${stepStateWords(steps as Release, step)} · \\*${step.name}\\*`, 'm');
        assert.match(blocks, line, `${step.name} (${step.state}) in:\n${blocks}`);
      }
      for (const line of blocks.split('\n')) {
        assert.ok(
          line.trim() === '' || ['────────', '```'].includes(line) || /[A-Za-z0-9]/.test(line),
          `a line of symbols only: "${line}"`,
        );
      }
      assert.match(withoutEmoji(message.text), /[a-z]{3}/, 'the notification text is words');
    });
  }

  it('covers every step name and state, and every state a release is shown in', () => {
    const listed = CASES.flatMap((c) => c.steps?.steps ?? []);
    for (const state of Object.keys(STEP_WORDS))
      assert.ok(
        listed.some((s) => s.state === state),
        state,
      );
    assert.ok(
      STEP_NAMES.every(
        (name) => name === 'migrate_down' || name === 'restore' || listed.some((s) => s.name === name),
      ),
    );
  });
});

describe('every message, as people read it', () => {
  for (const { what, message } of CASES) {
    it(`${what}: shows times as Slack date tokens, people as mentions, and no internal codes`, () => {
      const blocks = allText(message);
      const outsideTokens = blocks.replace(/<!date\^\d+\^[^|>]+\|[^>]*>/g, '');
      assert.doesNotMatch(outsideTokens, /\d{1,2}:\d\d(:\d\d)?\s*(UTC|AM|PM)/, 'a time outside a date token');
      for (const said of [blocks, message.text]) {
        const withoutMentions = said.replace(/<@U[A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>/g, '');
        assert.doesNotMatch(withoutMentions, /\bU0[A-Z0-9]{3,}\b/, 'a raw user id');
        assert.doesNotMatch(said, /BASELINE_FAILED|DEPLOY_FAILED|preflight_failed/, 'an internal code');
        assert.doesNotMatch(
          said,
          /\bis (already )?(succeeded|failed|cancelled|rolled back)\b/,
          'odd grammar',
        );
      }
    });
  }
});
