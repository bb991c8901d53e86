import { releaseKind, type Release } from '../../domain/release';
import { SHOWN_EMOJI, SHOWN_WORDS, shownState } from '../../domain/release-status';
import { FALLBACK_TEXT_MAX, MAX_BLOCKS, lineSections, section, type Block, type Message } from './block';
import { LIMITS } from './limits';
import { lockLine } from './lock-message';
import { releaseId, slackTime, took } from './release-format';
import { shownOf, statusPhrase, subjectMrkdwn } from './shown-status';
import {
  codeBlock,
  escapeKeepingMentions,
  escapeMrkdwn,
  escapeTruncated,
  escapeWithNote,
  plural,
  truncateMrkdwn,
} from './text';

/**
 * Ephemeral replies to commands. Everything the user typed or configuration
 * named is escaped; only mentions in authorization rules survive as mentions.
 */

const CODE_MAX = LIMITS.sectionText - 100;

const reply = (text: string, blocks: Block[]): Message => ({ text: text.trim() === '' ? '—' : text, blocks });

/** What was wrong with the command first, then how to write it. */
export function usageReply(problem: string | undefined, usage: string): Message {
  const blocks: Block[] = [];
  if (problem && problem.trim() !== '') blocks.push(section(`:warning: ${escapeWithNote(problem, 1500)}`));
  blocks.push(section(codeBlock(usage.split('\n'), CODE_MAX, 'first')));
  return reply(problem?.trim() ? escapeTruncated(problem, FALLBACK_TEXT_MAX) : 'Usage of deploybot', blocks);
}

export function helpReply(usage: string): Message {
  return reply('How to use deploybot', [
    section('*deploybot* runs the release runbook: request a release, tick the checklist, press Start.'),
    section(codeBlock(usage.split('\n'), CODE_MAX, 'first')),
  ]);
}

export function errorReply(message: string): Message {
  return reply(escapeTruncated(message, FALLBACK_TEXT_MAX), [
    section(`:x: ${escapeWithNote(message, CODE_MAX)}`),
  ]);
}

/** The dry run in monospace, its start kept (the steps come first). */
export function planReply(planText: string): Message {
  const lines = planText.split('\n');
  return reply(escapeTruncated(lines[0] ?? 'plan', FALLBACK_TEXT_MAX), [
    section(codeBlock(lines, CODE_MAX, 'first')),
  ]);
}

/**
 * One line for a release in flight: its shown state first (symbol, then the
 * words of statusPhrase), so a proposal reads as awaiting approval, a reverted
 * release as rolling back, a running one with its step and monitor note.
 */
function statusLine(release: Release, related: Release | undefined, now: number): string {
  const emoji = SHOWN_EMOJI[shownOf(release, related)];
  return `${emoji} ${statusPhrase(release, related, now)} · ${subjectMrkdwn(release)} · ${releaseId(release)}`;
}

/** The release a listed one names: its rollback once reverted, the release it reverts if a rollback. */
function relatedOf(release: Release, related: Readonly<Record<string, Release>>): Release | undefined {
  const id = release.rolledBackBy ?? release.rollbackOf?.releaseId;
  return id === undefined ? undefined : related[id];
}

/** A manual lock as `/deploy status` shows it. */
export interface LockView {
  app: string;
  environment: string;
  by: string;
  reason: string;
  since: number;
}

export interface StatusView {
  releases: Release[];
  /** Releases by id that the listed ones name: a rollback's reverted release, a reverted release's rollback. */
  related: Record<string, Release>;
  locks: LockView[];
  now: number;
}

/** Blocks the locks may take, so that a long list of releases cannot push them out. */
const LOCK_BLOCKS = 5;

/**
 * Releases in flight, one line each, then the manual locks: who, why, since
 * when, and the command that lifts each.
 */
export function statusReply(view: StatusView): Message {
  const { releases, locks, now } = view;
  const blocks: Block[] = [];
  const summary: string[] = [];
  const lockBlocks =
    locks.length === 0
      ? []
      : lineSections(
          [`*Locks* (${plural(locks.length, 'lock')})`, ...locks.map((l) => lockLine({ ...l, at: l.since }))],
          LOCK_BLOCKS,
          'lock',
        );
  if (releases.length === 0) {
    blocks.push(section('No releases in flight.'));
    summary.push('No releases in flight');
  } else {
    blocks.push(section(`*${plural(releases.length, 'release')} in flight*`));
    blocks.push(
      ...lineSections(
        releases.map((r) => statusLine(r, relatedOf(r, view.related), now)),
        MAX_BLOCKS - 1 - lockBlocks.length,
        'release',
      ),
    );
    summary.push(`${plural(releases.length, 'release')} in flight`);
  }
  if (locks.length > 0) {
    blocks.push(...lockBlocks);
    summary.push(plural(locks.length, 'lock'));
  }
  return reply(summary.join('; '), blocks);
}

/**
 * A past release's state. History has no related releases at hand, so a
 * reverted release reads as rolled back: by the time it is history its
 * rollback has normally ended (`/deploy status` shows one still running).
 */
function historyLine(release: Release): string {
  const duration = release.startedAt !== undefined ? took(release.startedAt, release.endedAt) : '';
  const shown = release.rolledBackBy !== undefined ? 'rolled_back' : shownState(release);
  return [
    `${SHOWN_EMOJI[shown]} ${slackTime(release.createdAt, 'datetime')}`,
    `*${escapeTruncated(release.environment, 80)}*`,
    `\`${escapeTruncated(release.version, 60)}\``,
    escapeTruncated(releaseKind(release), 20),
    releaseId(release),
    `${escapeMrkdwn(SHOWN_WORDS[shown])}${duration ? ` in ${duration}` : ''}`,
  ].join(' · ');
}

/** An app's past releases, newest first as given. */
export function historyReply(app: string, releases: readonly Release[]): Message {
  const name = escapeTruncated(app, 200);
  if (releases.length === 0) {
    return reply(`No releases of ${escapeTruncated(app, 200)} yet`, [
      section(`No releases of *${name}* yet.`),
    ]);
  }
  return reply(`Release history of ${escapeTruncated(app, 200)}`, [
    section(`*Release history of ${name}*`),
    ...lineSections(releases.map(historyLine), MAX_BLOCKS - 1, 'release'),
  ]);
}

/**
 * A refusal that names the rule, e.g. "only <!subteam^S1> may deploy to
 * production" as `decide()` words it: its mentions stay mentions. `help` is the
 * command that would help (`/deploy unlock backend production`), shown as code.
 */
export function refusedReply(rule: string, help?: string): Message {
  const because = escapeKeepingMentions(rule);
  const command = help?.trim() ? escapeTruncated(help.trim().replace(/`/g, "'"), 300) : undefined;
  const text = truncateMrkdwn(`:no_entry: You can't do that: ${because}`, LIMITS.sectionText - 400);
  const block = section(command ? `${text}\nTry \`${command}\`` : text);
  const tryIt = command ? `. Try ${command}` : '';
  const fallback = truncateMrkdwn(`You can't do that: ${because}`, FALLBACK_TEXT_MAX - tryIt.length) + tryIt;
  return reply(fallback, [block]);
}

/** A short confirmation or notice ("backend/production is locked"); mentions in it stay mentions. */
export function noticeReply(text: string): Message {
  const escaped = escapeKeepingMentions(text);
  return reply(truncateMrkdwn(escaped, FALLBACK_TEXT_MAX), [
    section(truncateMrkdwn(escaped, LIMITS.sectionText)),
  ]);
}
