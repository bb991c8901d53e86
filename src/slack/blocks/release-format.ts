import { mention } from '../../domain/authorization';
import { formatDuration } from '../../domain/duration';
import { isFinished, type Release, type StepRecord, type StepState } from '../../domain/release';
import { SHOWN_EMOJI, SHOWN_WORDS, type ShownState } from '../../domain/release-status';
import { codeBlock, escapeMrkdwn, escapeTruncated, truncate } from './text';

/** How a release's pieces look in chat, shared by the release message, its thread and replies. */

export const STEP_EMOJI: Record<StepState, string> = {
  succeeded: '✅',
  running: '⏳',
  waiting: '⏳',
  pending: '⬜',
  failed: '❌',
  skipped: '➖',
};

/** The word beside each step emoji, so that a step line reads the same without an emoji font. */
export const STEP_WORDS: Record<StepState, string> = {
  succeeded: 'succeeded',
  running: 'running',
  waiting: 'waiting',
  pending: 'pending',
  failed: 'failed',
  skipped: 'skipped',
};

/** `⏪ rolling back`: a shown state as symbol and word, never the symbol alone. */
export function shownLabel(shown: ShownState): string {
  return `${SHOWN_EMOJI[shown]} ${SHOWN_WORDS[shown]}`;
}

/** Longest piece of user text inside one line of a list (summaries, notes, reasons). */
export const LINE_TEXT_MAX = 300;

const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

/** A mention for a Slack id, or the escaped name for anything else (`cli:alice`). */
export function who(principal: string): string {
  return SLACK_ID.test(principal) ? mention(principal) : escapeTruncated(principal, 80);
}

/**
 * Shrinks the longest of `parts` until they fit in `budget` code units together,
 * so that a 255-character app name cannot push the version and environment out
 * of a header.
 */
export function fitParts(parts: readonly string[], budget: number): string[] {
  const out = [...parts];
  for (let guard = 0; guard < 1000; guard += 1) {
    const total = out.reduce((n, p) => n + p.length, 0);
    if (total <= budget) break;
    let longest = 0;
    out.forEach((p, i) => {
      if (p.length > (out[longest] as string).length) longest = i;
    });
    const part = out[longest] as string;
    out[longest] = truncate(part, Math.max(1, part.length - (total - budget)));
    if ((out[longest] as string).length >= part.length) break;
  }
  return out;
}

/** `backend v1.2.0 → production` as plain text within `max` code units. */
export function titlePlain(release: Release, max: number, prefix = ''): string {
  const around = prefix.length + ' '.length + ' → '.length;
  const [app, version, env] = fitParts([release.app, release.version, release.environment], max - around);
  return `${prefix}${app} ${version} → ${env}`;
}

/** `*backend* `v1.2.0` → *production*` as escaped mrkdwn; each name bounded. */
export function titleMrkdwn(release: Release): string {
  return `*${escapeTruncated(release.app, 80)}* \`${escapeTruncated(release.version, 60)}\` → *${escapeTruncated(release.environment, 80)}*`;
}

/** `4m 12s` between two instants, or '' when either is unknown. */
export function took(from: number | undefined, to: number | undefined): string {
  if (from === undefined || to === undefined || !Number.isFinite(from) || !Number.isFinite(to)) return '';
  return formatDuration(Math.max(0, to - from));
}

export function stepDuration(step: StepRecord, now: number): string {
  return step.startedAt === undefined ? '' : took(step.startedAt, step.finishedAt ?? now);
}

const oneLine = (text: string): string =>
  escapeTruncated(text.replace(/\s*\n\s*/g, ' ').trim(), LINE_TEXT_MAX);

/**
 * What a step found, is doing, or why it did not run: escaped, one line. A
 * failed step says its error in words (the code is for logs and the audit);
 * `failure` is the release's, for a step failed without a record of its own.
 */
export function stepNote(step: StepRecord, failure?: Release['failure']): string {
  switch (step.state) {
    case 'skipped':
      return oneLine(step.reason ?? 'not needed');
    case 'pending':
      return '';
    case 'failed': {
      const message = step.error?.message ?? (failure?.step === step.name ? failure.message : undefined);
      return message && message.trim() !== '' ? oneLine(message) : '';
    }
    case 'succeeded':
      return step.summary ? oneLine(step.summary) : '';
    default: {
      const note = step.progress.note;
      return typeof note === 'string' && note.trim() !== '' ? oneLine(note) : '';
    }
  }
}

/**
 * `✅ succeeded · *preflight* 42s — 7 checks passed`: the one shape of a step
 * line everywhere (message, thread, status), its state as a word after the
 * symbol so that the line is whole without an emoji font.
 */
export function stepLine(step: StepRecord, now: number, failure?: Release['failure']): string {
  const duration = stepDuration(step, now);
  const note = stepNote(step, failure);
  const state = `${STEP_EMOJI[step.state] ?? '•'} ${STEP_WORDS[step.state] ?? escapeMrkdwn(String(step.state))}`;
  return `${state} · *${escapeMrkdwn(step.name)}*${duration ? ` ${duration}` : ''}${note ? ` — ${note}` : ''}`;
}

/**
 * The step lines of a release, a failed one carrying the release's error when
 * it has none of its own; `errors: false` leaves errors out where a post of
 * their own already said them.
 */
export function stepLines(release: Release, now: number, errors = true): string[] {
  return release.steps.map((s) => {
    const ended = endedUnder(release, s);
    if (ended) return endedStepLine(s, ended, release.endedAt ?? now);
    return !errors && s.state === 'failed'
      ? stepLine({ ...s, error: undefined }, now)
      : stepLine(s, now, release.failure);
  });
}

/**
 * A release that ended under a step (a rollback, a cancel, a failure) left it
 * stopped there, and the steps after it never ran: their stored states
 * (waiting, pending) would read as if they still might.
 */
function endedUnder(release: Release, step: StepRecord): 'stopped' | 'not run' | undefined {
  if (!isFinished(release)) return undefined;
  if (step.state === 'running' || step.state === 'waiting') return 'stopped';
  return step.state === 'pending' ? 'not run' : undefined;
}

/** The words a step's state reads as in a release's step list. */
export function stepStateWords(release: Release, step: StepRecord): string {
  return endedUnder(release, step) ?? STEP_WORDS[step.state] ?? String(step.state);
}

/** `⏹️ stopped · *monitor* 44s — sample 3/12 …`, `⬜ not run · *verify*`. */
function endedStepLine(step: StepRecord, how: 'stopped' | 'not run', endedAt: number): string {
  const emoji = how === 'stopped' ? '⏹️' : STEP_EMOJI.pending;
  const duration = how === 'stopped' ? stepDuration(step, endedAt) : '';
  const note = how === 'stopped' ? stepNote(step) : '';
  return `${emoji} ${how} · *${escapeMrkdwn(step.name)}*${duration ? ` ${duration}` : ''}${note ? ` — ${note}` : ''}`;
}

/** The step a release is at: the first one running, waiting or failed, else the next pending one. */
export function currentStep(release: Release): StepRecord | undefined {
  return (
    release.steps.find((s) => s.state === 'running' || s.state === 'waiting' || s.state === 'failed') ??
    release.steps.find((s) => s.state === 'pending')
  );
}

/**
 * A time as a Slack date token, so that each reader sees it in their own time
 * zone and clock format: `<!date^1700000000^{time}|22:13 UTC>`, or with
 * `datetime` `<!date^…^{date_short} {time}|2023-11-14 22:13 UTC>`. The part
 * after `|` is what clients that cannot format the token show. Only mrkdwn
 * renders tokens: plain_text fields and notification text use plainTime.
 */
export function slackTime(at: number, format: 'time' | 'datetime' = 'time'): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '—';
  const seconds = Math.floor(at / 1000);
  const tokens = format === 'time' ? '{time}' : '{date_short} {time}';
  return `<!date^${seconds}^${tokens}|${plainTime(at, format)}>`;
}

/** `22:13 UTC` (or `2023-11-14 22:13 UTC`): the same time as slackTime's fallback, for plain text. */
export function plainTime(at: number, format: 'time' | 'datetime' = 'time'): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return '—';
  const iso = date.toISOString();
  return format === 'time' ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

/** A release id as inline code (ids are ours, but a stored one is still escaped). */
export function releaseId(release: Release): string {
  return `\`${escapeTruncated(release.id.replace(/`/g, "'"), 60)}\``;
}

const FAILURE_MAX = 2000;

/** A failure's message as a code block (its start kept: an error says what went wrong first). */
export function failureMessage(release: Release): string | undefined {
  const message = release.failure?.message;
  return message && message.trim() !== '' ? codeBlock([message], FAILURE_MAX, 'first') : undefined;
}

/** Whether the failed step's line already carries the failure's words, so nothing else repeats them. */
export function failureOnStepLine(release: Release): boolean {
  const failure = release.failure;
  if (!failure?.step) return false;
  const step = release.steps.find((s) => s.name === failure.step);
  return step !== undefined && step.state === 'failed' && stepNote(step, failure) !== '';
}

/** The first line of an error, in words, for a notification. */
export function errorWords(message: string | undefined, max = 200): string {
  const first = (message ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
  return escapeTruncated(first.trim(), max);
}
