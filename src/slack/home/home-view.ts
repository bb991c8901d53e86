import type {
  ContextBlock,
  HeaderBlock,
  HomeView,
  KnownBlock,
  MrkdwnElement,
  SectionBlock,
} from '@slack/types';
import { SHOWN_EMOJI, SHOWN_WORDS } from '../../domain/release-status';
import { releaseKind, type Release } from '../../domain/release';
import { LIMITS } from '../blocks/limits';
import { releaseId, slackTime, titleMrkdwn, who } from '../blocks/release-format';
import { shownOf, statusPhrase, subjectMrkdwn } from '../blocks/shown-status';
import { ELLIPSIS, escapeTruncated, plural, truncate, truncateMrkdwn } from '../blocks/text';
import { HOME_VIEW_LIMITS } from './home-view-limits';
import type { AppRow, EnvironmentRow, TeamView } from './team-view-model';

/**
 * The App Home tab: per app and environment what runs and since when, its
 * lock, freeze, releases in flight and queued; the rollbacks waiting for the
 * viewer's approval; the last releases; the DORA figures. One section per
 * app (its environments as fields) keeps 50 apps × 2 environments inside the
 * 100 blocks a Home view may hold; apps beyond the budget are named in a
 * closing note. Every text is cut to its limit, whatever the names.
 */
export function homeView(team: TeamView): HomeView {
  const tail = [...lastReleasesBlocks(team), ...doraBlocks(team)];
  const head: KnownBlock[] = [
    header('Releases at a glance'),
    context(
      `Updated ${slackTime(team.now)} · ${plural(team.apps.length, 'app')} · what you see here is for ${who(team.viewer)}`,
    ),
    ...approvalBlocks(team),
    { type: 'divider' },
  ];
  // The apps get what the other parts leave, less one block for the note on those left out.
  const appBudget = HOME_VIEW_LIMITS.blocks - head.length - tail.length - 1;
  return { type: 'home', blocks: [...head, ...appBlocks(team, appBudget), ...tail] };
}

/** The most in-flight and queued releases named per environment; the rest are counted. */
const PER_ENVIRONMENT = 3;
const NAME_MAX = 80;
const REASON_MAX = 200;

function approvalBlocks(team: TeamView): KnownBlock[] {
  const title = '*⏪ Waiting for your approval*';
  if (team.pendingApprovals.length === 0) {
    return [section(`${title}\n_Nothing is waiting for your approval._`)];
  }
  const lines = team.pendingApprovals.map((proposal) => approvalLine(proposal, team.now));
  return [section(fitLines(title, lines, 'rollback'))];
}

function approvalLine(proposal: Release, now: number): string {
  const reason = proposal.rollbackOf?.reason;
  const where = proposal.chat ? ` · in <#${proposal.chat.channel}>` : '';
  return [
    `• ${subjectMrkdwn(proposal)} · ${statusPhrase(proposal, undefined, now)}`,
    `proposed by ${who(proposal.requestedBy)} ${slackTime(proposal.createdAt, 'datetime')}`,
    `${releaseId(proposal)}${where}`,
  ]
    .join(' · ')
    .concat(reason ? `\n    _${escapeTruncated(reason, REASON_MAX)}_` : '');
}

function appBlocks(team: TeamView, budget: number): KnownBlock[] {
  const blocks: KnownBlock[] = [section('*Apps and environments*')];
  const room = budget - blocks.length;
  const shown = team.apps.slice(0, Math.max(0, room));
  blocks.push(...shown.map((row) => appSection(row, team.now)));
  const hidden = team.apps.slice(shown.length);
  if (hidden.length > 0) {
    const names = hidden.map((row) => escapeTruncated(row.app, NAME_MAX)).join(', ');
    blocks.push(
      context(
        `${ELLIPSIS} ${plural(hidden.length, 'more app')} not shown here: ${names}. \`/deploy status <app>\` shows any of them.`,
      ),
    );
  }
  return blocks;
}

/** `*backend*` with one field per environment (the first ten; the rest are counted). */
function appSection(row: AppRow, now: number): SectionBlock {
  const name = `*${escapeTruncated(row.app, NAME_MAX)}*`;
  const fields = row.environments.slice(0, LIMITS.sectionFields).map((env) => environmentField(env, now));
  const more = row.environments.length - fields.length;
  const text = more > 0 ? `${name} _(${plural(more, 'more environment')} not shown)_` : name;
  if (fields.length === 0) return section(`${text}\n_No environments configured._`);
  return { type: 'section', text: mrkdwn(text), fields: fields.map((f) => mrkdwn(f, LIMITS.fieldText)) };
}

function environmentField(env: EnvironmentRow, now: number): string {
  const lines = [`*${escapeTruncated(env.environment, NAME_MAX)}*`];
  lines.push(
    env.running
      ? `🟢 runs \`${escapeTruncated(env.running.version, 60)}\` since ${slackTime(env.running.since, 'datetime')}${env.running.restoredBy ? ' (rolled back to)' : ''}`
      : '⚪ running version not known: no release through deploybot yet',
  );
  if (env.lock?.kind === 'manual') {
    lines.push(
      `🔒 locked by ${who(env.lock.by)} since ${slackTime(env.lock.since, 'datetime')}: ${escapeTruncated(env.lock.reason, REASON_MAX)}`,
    );
  }
  if (env.freeze) {
    const until = env.freeze.until !== undefined ? ` until ${slackTime(env.freeze.until, 'datetime')}` : '';
    lines.push(`❄️ frozen${until}: ${escapeTruncated(env.freeze.reason, REASON_MAX)}`);
  }
  lines.push(...named(env.inFlight, (r) => inFlightLine(r, now), 'more in flight'));
  if (env.queued.length > 0) {
    const versions = env.queued.slice(0, PER_ENVIRONMENT).map((r) => `\`${escapeTruncated(r.version, 60)}\``);
    const more = env.queued.length - versions.length;
    lines.push(`🕒 queued: ${versions.join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (env.inFlight.length === 0 && env.queued.length === 0 && !env.lock && !env.freeze)
    lines.push('free to deploy');
  return truncateMrkdwn(lines.join('\n'), LIMITS.fieldText);
}

function inFlightLine(release: Release, now: number): string {
  const shown = shownOf(release);
  const kind = release.rollbackOf ? `${releaseKind(release)} of ` : '';
  return `${SHOWN_EMOJI[shown]} ${kind}\`${escapeTruncated(release.version, 60)}\` ${statusPhrase(release, undefined, now)} · ${releaseId(release)}`;
}

function named(releases: readonly Release[], line: (r: Release) => string, rest: string): string[] {
  const lines = releases.slice(0, PER_ENVIRONMENT).map(line);
  const more = releases.length - lines.length;
  return more > 0 ? [...lines, `_${ELLIPSIS} ${plural(more, rest, rest)}_`] : lines;
}

function lastReleasesBlocks(team: TeamView): KnownBlock[] {
  const title = `*Last ${plural(team.lastReleases.length, 'release')}*`;
  if (team.lastReleases.length === 0) return [{ type: 'divider' }, section(`${title}\n_No releases yet._`)];
  const lines = team.lastReleases.map((release) => {
    const related = release.rolledBackBy ? team.related[release.rolledBackBy] : undefined;
    const shown = shownOf(release, related);
    return [
      `${SHOWN_EMOJI[shown]} ${slackTime(release.createdAt, 'datetime')}`,
      titleMrkdwn(release),
      escapeTruncated(releaseKind(release), 20),
      SHOWN_WORDS[shown],
      `by ${who(release.requestedBy)}`,
      releaseId(release),
    ].join(' · ');
  });
  return [{ type: 'divider' }, section(fitLines(title, lines, 'release'))];
}

function doraBlocks(team: TeamView): KnownBlock[] {
  if (!team.dora || team.dora.lines.length === 0) return [];
  const title = `*📈 Delivery figures (DORA)* · ${escapeTruncated(team.dora.title, NAME_MAX)}`;
  return [{ type: 'divider' }, section(fitLines(title, team.dora.lines, 'figure'))];
}

/**
 * A title and as many whole lines as fit one section, the rest counted in a
 * closing note. Each line is cut first, so that one long line cannot push out
 * all the others.
 */
function fitLines(title: string, lines: readonly string[], noun: string): string {
  const noteRoom = 60;
  const budget = LIMITS.sectionText - noteRoom;
  let text = title;
  let shown = 0;
  for (const raw of lines) {
    const line = truncateMrkdwn(raw, 600);
    if (text.length + 1 + line.length > budget) break;
    text = `${text}\n${line}`;
    shown += 1;
  }
  const hidden = lines.length - shown;
  return hidden > 0 ? `${text}\n_${ELLIPSIS} ${plural(hidden, `more ${noun}`)} not shown_` : text;
}

function mrkdwn(text: string, max: number = LIMITS.sectionText): MrkdwnElement {
  return { type: 'mrkdwn', text: truncateMrkdwn(text.trim() === '' ? '—' : text, max) };
}

function section(text: string): SectionBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function context(text: string): ContextBlock {
  return { type: 'context', elements: [mrkdwn(text)] };
}

function header(text: string): HeaderBlock {
  return {
    type: 'header',
    text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true },
  };
}
