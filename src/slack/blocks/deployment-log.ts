import type { DeploymentLog, LogEvent, StepTimes } from '../../domain/deployment-log';
import { formatDuration } from '../../domain/duration';
import {
  FALLBACK_TEXT_MAX,
  MAX_BLOCKS,
  context,
  fieldsSection,
  header,
  lineSections,
  section,
  type Block,
  type Message,
} from './block';
import { LINE_TEXT_MAX, STEP_EMOJI, STEP_WORDS, fitParts, slackTime, took, who } from './release-format';
import { escapeMrkdwn, escapeTruncated, escapeWithNote, truncate } from './text';

/** Each review answer's share of its section (four answers and their labels fit in 3,000). */
const ANSWER_MAX = 640;
const HEADER_MAX = 150;

/**
 * `/deploy log <release-id>`: one release in full. The summary, steps, issues,
 * rollbacks, follow-ups and review come first in a block each; the timeline
 * takes the blocks that are left, and what does not fit is counted and points
 * at the command line, which prints the whole log.
 */
export function deploymentLogReply(log: DeploymentLog, now: number): Message {
  const blocks: Block[] = [
    header(title(log)),
    fieldsSection(summaryFields(log, now)),
    ...overrideBlock(log),
    ...listBlock('Steps', log.steps.map(stepLine), 'step'),
    ...listBlock(
      ':warning: Issues',
      log.issues.map((i) => escapeTruncated(i, LINE_TEXT_MAX)),
      'issue',
    ),
    ...listBlock(':rewind: Rollbacks', log.rollbacks.map(rollbackLine), 'rollback'),
    ...listBlock('Follow-ups', log.followUps.map(followUpLine), 'follow-up'),
    ...reviewBlock(log),
  ];
  const footer = context(
    `Full log: \`deploybot log ${escapeMrkdwn(log.id)}\` · all releases: \`deploybot export --since 30d --app ${escapeMrkdwn(log.app)} --format csv\``,
  );
  const room = MAX_BLOCKS - blocks.length - 2;
  const timeline =
    log.events.length === 0
      ? []
      : [section('*Timeline*'), ...lineSections(log.events.map(eventLine), room, 'event')];
  return {
    text: truncate(
      `Deployment log of ${log.app} ${log.version} → ${log.environment} (${log.id}): ${log.state}`,
      FALLBACK_TEXT_MAX,
    ),
    blocks: [...blocks, ...timeline, footer],
  };
}

function title(log: DeploymentLog): string {
  const prefix = 'Deployment log: ';
  const [app, version, env] = fitParts(
    [log.app, log.version, log.environment],
    HEADER_MAX - prefix.length - 4,
  );
  return `${prefix}${app} ${version} → ${env}`;
}

function summaryFields(log: DeploymentLog, now: number): string[] {
  const fields = [
    `*Release*\n\`${escapeTruncated(log.id, 60)}\``,
    `*Type and state*\n${escapeTruncated(log.kind, 40)}, ${escapeTruncated(log.state, 40)}`,
    `*Requested*\n${who(log.requestedBy)} ${slackTime(log.requestedAt, 'datetime')}`,
  ];
  if (log.startedAt !== undefined) {
    fields.push(
      `*Started*\n${log.startedBy ? `${who(log.startedBy)} ` : ''}${slackTime(log.startedAt, 'datetime')}`,
    );
  }
  if (log.endedAt !== undefined || log.startedAt !== undefined) {
    const end = log.endedAt === undefined ? 'still running' : slackTime(log.endedAt, 'datetime');
    const duration = took(log.startedAt, log.endedAt ?? now);
    fields.push(`*Ended*\n${end}${duration ? ` (took ${duration})` : ''}`);
  }
  if (log.approvedBy)
    fields.push(`*Approved*\n${who(log.approvedBy.by)} ${slackTime(log.approvedBy.at, 'datetime')}`);
  if (log.cancelledBy) fields.push(`*Ended by*\n${who(log.cancelledBy)}`);
  if (log.queued)
    fields.push(`*Queued*\n${who(log.queued.queuedBy)}: ${escapeTruncated(log.queued.why, 300)}`);
  if (log.promotedFrom) {
    fields.push(
      `*Promoted from*\n${escapeTruncated(log.promotedFrom.environment, 80)} \`${escapeTruncated(log.promotedFrom.releaseId, 60)}\``,
    );
  }
  if (log.rollbackOf) {
    fields.push(
      `*Rolls back*\n${escapeTruncated(log.rollbackOf.version, 60)} \`${escapeTruncated(log.rollbackOf.releaseId, 60)}\``,
    );
  }
  return fields;
}

function overrideBlock(log: DeploymentLog): Block[] {
  const o = log.override;
  if (!o) return [];
  return [
    section(
      `:rotating_light: *Break-glass override* by ${who(o.by)} ${slackTime(o.at, 'datetime')} — ` +
        `${escapeTruncated(o.overrode, 600)}. Reason: “${escapeTruncated(o.reason, 500)}”`,
    ),
  ];
}

/** A titled list in one section; lines past its 3,000 characters are counted, not cut mid-way. */
function listBlock(title: string, lines: string[], noun: string): Block[] {
  if (lines.length === 0) return [];
  return lineSections([`*${title}*`, ...lines], 1, noun);
}

function stepLine(step: StepTimes): string {
  const state = `${STEP_EMOJI[step.state] ?? '•'} ${STEP_WORDS[step.state] ?? escapeMrkdwn(String(step.state))}`;
  const from = step.startedAt === undefined ? '' : ` ${slackTime(step.startedAt)}`;
  const to = step.finishedAt === undefined ? '' : `–${slackTime(step.finishedAt)}`;
  const duration = took(step.startedAt, step.finishedAt);
  const note = step.note ? ` — ${escapeTruncated(step.note.replace(/\s+/g, ' '), LINE_TEXT_MAX)}` : '';
  return `${state} · *${escapeMrkdwn(step.name)}*${from}${to}${duration ? ` (${duration})` : ''}${note}`;
}

function rollbackLine(r: DeploymentLog['rollbacks'][number]): string {
  const approved = r.approvedBy
    ? `, approved by ${who(r.approvedBy.by)} ${slackTime(r.approvedBy.at, 'datetime')}`
    : '';
  const reason = r.reason ? ` — ${escapeTruncated(r.reason, LINE_TEXT_MAX)}` : '';
  return `${escapeMrkdwn(r.kind)} \`${escapeTruncated(r.id, 60)}\`: ${escapeMrkdwn(r.state)}, proposed by ${who(r.requestedBy)}${approved}${reason}`;
}

function followUpLine(f: DeploymentLog['followUps'][number]): string {
  const lines = f.lines.slice(1).join('; ');
  return `*+${formatDuration(f.afterMs)}* ${slackTime(f.at, 'datetime')}: ${escapeTruncated(lines || f.lines[0] || f.kind, LINE_TEXT_MAX * 2)}`;
}

function reviewBlock(log: DeploymentLog): Block[] {
  const r = log.review;
  if (!r) return [];
  const answer = (label: string, text: string) =>
    `*${label}* ${escapeWithNote(text.trim() || '—', ANSWER_MAX)}`;
  return [
    section(
      [
        `*Review* by ${who(r.by)} ${slackTime(r.at, 'datetime')}`,
        answer('Went well:', r.wentWell),
        answer('Could improve:', r.couldImprove),
        answer('Unexpected issues:', r.unexpectedIssues),
        answer('Follow-up actions:', r.followUpActions),
      ].join('\n'),
    ),
  ];
}

function eventLine(e: LogEvent): string {
  return `${slackTime(e.at, 'datetime')} ${who(e.who)} — ${escapeTruncated(e.what.replace(/\s+/g, ' '), LINE_TEXT_MAX)}`;
}
