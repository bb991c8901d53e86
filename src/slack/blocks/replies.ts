import { releaseKind, type Release } from '../../domain/release';
import { FALLBACK_TEXT_MAX, MAX_BLOCKS, lineSections, section, type Block, type Message } from './block';
import { LIMITS } from './limits';
import {
  RELEASE_EMOJI,
  STATE_WORDS,
  currentStep,
  dateTime,
  releaseId,
  stepDuration,
  stepNote,
  titleMrkdwn,
  took,
} from './release-format';
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

/** One line for a release: state, app/env and version, id, and what it is doing. */
function statusLine(release: Release, now: number): string {
  const parts = [`${RELEASE_EMOJI[release.state] ?? '•'} ${titleMrkdwn(release)}`, releaseId(release)];
  if (release.state === 'awaiting_start') {
    parts.push('awaiting start (checklist)');
  } else if (release.state === 'running') {
    const step = currentStep(release);
    if (step) {
      const duration = stepDuration(step, now);
      const note = stepNote(step);
      parts.push(`*${escapeMrkdwn(step.name)}*${duration ? ` ${duration}` : ''}${note ? ` — ${note}` : ''}`);
    } else {
      parts.push('running');
    }
  } else {
    parts.push(escapeMrkdwn(STATE_WORDS[release.state] ?? String(release.state)));
  }
  return parts.join(' · ');
}

/** Releases in flight, one line each. */
export function statusReply(releases: readonly Release[], now: number): Message {
  if (releases.length === 0) return reply('No releases in flight', [section('No releases in flight.')]);
  const title = `*${plural(releases.length, 'release')} in flight*`;
  return reply(`${plural(releases.length, 'release')} in flight`, [
    section(title),
    ...lineSections(
      releases.map((r) => statusLine(r, now)),
      MAX_BLOCKS - 1,
      'release',
    ),
  ]);
}

function historyLine(release: Release): string {
  const duration = release.startedAt !== undefined ? took(release.startedAt, release.endedAt) : '';
  return [
    `${RELEASE_EMOJI[release.state] ?? '•'} ${dateTime(release.createdAt)}`,
    `*${escapeTruncated(release.environment, 80)}*`,
    `\`${escapeTruncated(release.version, 60)}\``,
    escapeTruncated(releaseKind(release), 20),
    releaseId(release),
    `${escapeMrkdwn(STATE_WORDS[release.state] ?? String(release.state))}${duration ? ` in ${duration}` : ''}`,
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
 * production" as `decide()` words it: its mentions stay mentions.
 */
export function refusedReply(rule: string): Message {
  const text = truncateMrkdwn(
    `:no_entry: You can't do that: ${escapeKeepingMentions(rule)}`,
    LIMITS.sectionText,
  );
  return reply(truncateMrkdwn(`You can't do that: ${escapeKeepingMentions(rule)}`, FALLBACK_TEXT_MAX), [
    section(text),
  ]);
}

/** A short confirmation or notice ("backend/production is locked"); mentions in it stay mentions. */
export function noticeReply(text: string): Message {
  const escaped = escapeKeepingMentions(text);
  return reply(truncateMrkdwn(escaped, FALLBACK_TEXT_MAX), [
    section(truncateMrkdwn(escaped, LIMITS.sectionText)),
  ]);
}
