import {
  changeFailureBand,
  frequencyBand,
  leadTimeBand,
  restoreBand,
  type Band,
} from '../../domain/dora/bands';
import type { DeliveryFigures } from '../../domain/dora/figures';
import { trendOf, type Better } from '../../domain/dora/trend';
import type { StatsAnswer } from '../../engine/delivery-stats';
import {
  FALLBACK_TEXT_MAX,
  MAX_BLOCKS,
  context,
  header,
  lineSections,
  section,
  type Block,
  type Message,
} from './block';
import { plainTime } from './release-format';
import { escapeTruncated, plural, truncate } from './text';

/**
 * `/deploy stats`: the four DORA figures, each with its band, its trend
 * against the previous period and what it left out; then the overrides they
 * include and, for several apps, one line per app. Every symbol stands beside
 * words ("↑ up from …"), so the reply reads the same without an emoji font.
 */
const NAME_MAX = 60;
const DAY = 86_400_000;

const BAND_WORDS: Record<Band, string> = { elite: 'Elite', high: 'High', medium: 'Medium', low: 'Low' };

/** The four figures as mrkdwn lines, each with its band and trend: the reply's core, and the Home tab's. */
export function figureLines(answer: StatsAnswer): string[] {
  const { current, previous } = answer;
  return [
    frequencyLine(current, previous),
    leadTimeLine(current, previous),
    failureRateLine(current, previous),
    restoreLine(current, previous),
  ];
}

export function statsReply(answer: StatsAnswer, now: number): Message {
  const { current, previous } = answer;
  const scope = scopeWords(answer);
  const blocks: Block[] = [
    header(truncate(`Delivery figures: ${scope.plain}, last ${plural(answer.query.days, 'day')}`, 150)),
    section(frequencyLine(current, previous)),
    section(leadTimeLine(current, previous)),
    section(failureRateLine(current, previous)),
    section(restoreLine(current, previous)),
    context(overrideWords(current), excludedWords(current)),
    context(
      `${scope.mrkdwn}, ${plainTime(current.period.from, 'datetime')} to ${plainTime(now, 'datetime')}. ` +
        'Trends compare with the same number of days before. Bands: DORA, 2023 State of DevOps report.',
    ),
  ];
  if (answer.byApp.length > 0) {
    const room = MAX_BLOCKS - blocks.length;
    blocks.push(
      ...lineSections(
        answer.byApp.map((a) => appLine(a.app, a.figures)),
        room,
        'app',
      ),
    );
  }
  const text = `Delivery figures for ${scope.plain}, last ${plural(answer.query.days, 'day')}: ${plural(current.deploymentFrequency.deployments, 'deployment')}`;
  return { text: truncate(text, FALLBACK_TEXT_MAX), blocks };
}

function scopeWords(answer: StatsAnswer): { plain: string; mrkdwn: string } {
  const { app, environment } = answer.query;
  const names = [...new Set(answer.scopes.map((s) => s.app))];
  // One app configured: name it, rather than "all 1 app".
  const appPart = app ?? (names.length === 1 ? (names[0] as string) : `all ${plural(names.length, 'app')}`);
  const envPart = environment !== undefined ? `in ${environment}` : 'in every environment';
  const plain = `${truncate(appPart, NAME_MAX)} ${truncate(envPart, NAME_MAX + 3)}`;
  const pairs = plural(answer.scopes.length, 'app and environment pair', 'app and environment pairs');
  const counted = answer.scopes.length > 1 ? ` (${pairs})` : '';
  return { plain, mrkdwn: `${escapeTruncated(`${appPart} ${envPart}`, 2 * NAME_MAX)}${counted}` };
}

/** `*Deployment frequency:* 2.1/week … — *High* — ↑ up from 1.4/week (better)` */
function figureLine(
  name: string,
  value: string,
  band: Band | undefined,
  trend: string,
  notes: string[],
): string {
  const bandPart = band ? ` — DORA band *${BAND_WORDS[band]}*` : '';
  const trendPart = trend === '' ? '' : ` — ${trend}`;
  const notePart = notes.length > 0 ? `\n_${notes.join('; ')}_` : '';
  return `*${name}:* ${value}${bandPart}${trendPart}${notePart}`;
}

function trendWords(
  current: number | undefined,
  previous: number | undefined,
  better: Better,
  format: (n: number) => string,
): string {
  const trend = trendOf(current, previous, better);
  if (!trend) return '';
  if (trend.kind === 'no-previous') return 'nothing to compare with in the period before';
  if (trend.kind === 'same') return `→ about the same as before (${format(trend.previous)})`;
  const arrow = trend.kind === 'up' ? '↑ up' : '↓ down';
  return `${arrow} from ${format(trend.previous)} (${trend.improved ? 'better' : 'worse'})`;
}

function frequencyLine(current: DeliveryFigures, previous: DeliveryFigures): string {
  const f = current.deploymentFrequency;
  const unit = frequencyUnit(f.perDay);
  const format = (perDay: number) => `${decimal(perDay * unit.days)}/${unit.name}`;
  const perPair = f.scopes > 1 ? ` per app and environment` : '';
  const value = `${format(f.perDay)}${perPair} (${plural(f.deployments, 'deployment')})`;
  const trend = trendWords(
    f.perDay,
    previous.changes > 0 ? previous.deploymentFrequency.perDay : undefined,
    'higher',
    format,
  );
  return figureLine('Deployment frequency', value, frequencyBand(f.perDay), trend, []);
}

function leadTimeLine(current: DeliveryFigures, previous: DeliveryFigures): string {
  const l = current.leadTime;
  const notes = [
    `median of ${plural(l.measured, 'change')} that succeeded and stayed, from image push (or a known commit) to the release’s end`,
  ];
  if (l.withoutChangeTime > 0)
    notes.push(`${plural(l.withoutChangeTime, 'release')} without a known change time, not counted`);
  if (l.medianMs === undefined)
    return figureLine('Lead time for changes', 'nothing to measure', undefined, '', notes);
  const trend = trendWords(l.medianMs, previous.leadTime.medianMs, 'lower', span);
  return figureLine('Lead time for changes', span(l.medianMs), leadTimeBand(l.medianMs), trend, notes);
}

function failureRateLine(current: DeliveryFigures, previous: DeliveryFigures): string {
  const c = current.changeFailureRate;
  const notes = [`${c.failed} of ${plural(c.decided, 'deployment')} rolled back or failed after deploy`];
  if (c.undecided > 0) notes.push(`${plural(c.undecided, 'deployment')} still running, not counted`);
  if (c.rate === undefined)
    return figureLine('Change failure rate', 'no finished deployments', undefined, '', notes);
  const trend = trendWords(c.rate, previous.changeFailureRate.rate, 'lower', percent);
  return figureLine('Change failure rate', percent(c.rate), changeFailureBand(c.rate), trend, notes);
}

function restoreLine(current: DeliveryFigures, previous: DeliveryFigures): string {
  const t = current.timeToRestore;
  const notes = [
    `median of ${plural(t.restored, 'failure')}, from the first failing sample (or the rollback proposal) to the healthy end of the rollback or fix`,
  ];
  if (t.notRestored > 0) notes.push(`${plural(t.notRestored, 'failure')} not restored yet, not counted`);
  if (t.medianMs === undefined) {
    const value = current.changeFailureRate.failed === 0 ? 'no failures to restore' : 'none restored yet';
    return figureLine('Time to restore', value, undefined, '', notes);
  }
  const trend = trendWords(t.medianMs, previous.timeToRestore.medianMs, 'lower', span);
  return figureLine('Time to restore', span(t.medianMs), restoreBand(t.medianMs), trend, notes);
}

function overrideWords(f: DeliveryFigures): string {
  const o = f.overrides;
  if (o.changes === 0) return 'Overrides: none (no break-glass releases).';
  return (
    `Overrides: ${plural(o.changes, 'break-glass release')} (${o.deployments} deployed, ${o.failed} failed), ` +
    'counted in every figure above.'
  );
}

function excludedWords(f: DeliveryFigures): string {
  const e = f.excluded;
  if (f.changes === 0)
    return e.rollbacks > 0
      ? `No changes requested; ${plural(e.rollbacks, 'rollback')}.`
      : 'No changes requested.';
  const parts = [
    e.failedBeforeDeploy > 0 ? `${e.failedBeforeDeploy} failed before deploy` : '',
    e.stoppedBeforeDeploy > 0 ? `${e.stoppedBeforeDeploy} cancelled before deploy` : '',
    e.notDeployedYet > 0 ? `${e.notDeployedYet} not deployed yet` : '',
  ].filter((p) => p !== '');
  const never = parts.length === 0 ? 'Every change reached deploy.' : `Not deployments: ${parts.join(', ')}.`;
  const rollbacks =
    e.rollbacks > 0 ? ` ${plural(e.rollbacks, 'rollback')} counted as remedies, not changes.` : '';
  return `${plural(f.changes, 'change')} requested. ${never}${rollbacks}`;
}

/** `*backend*: 9 deployments, 2.1/week, 50% failed, lead 6h 00m, restore 1h 30m` */
function appLine(app: string, f: DeliveryFigures): string {
  const unit = frequencyUnit(f.deploymentFrequency.perDay);
  const parts = [
    plural(f.deploymentFrequency.deployments, 'deployment'),
    `${decimal(f.deploymentFrequency.perDay * unit.days)}/${unit.name}`,
    f.changeFailureRate.rate === undefined
      ? 'no failure rate'
      : `${percent(f.changeFailureRate.rate)} failed`,
    f.leadTime.medianMs === undefined ? 'no lead time' : `lead ${span(f.leadTime.medianMs)}`,
    f.timeToRestore.medianMs === undefined ? '' : `restore ${span(f.timeToRestore.medianMs)}`,
    f.overrides.changes > 0 ? plural(f.overrides.changes, 'override') : '',
  ].filter((p) => p !== '');
  return `*${escapeTruncated(app, NAME_MAX)}*: ${parts.join(', ')}`;
}

/** Daily when at least daily, weekly when at least weekly, else monthly: the unit the bands speak in. */
function frequencyUnit(perDay: number): { name: string; days: number } {
  if (perDay >= 1) return { name: 'day', days: 1 };
  if (perDay * 7 >= 1) return { name: 'week', days: 7 };
  return { name: 'month', days: 30 };
}

function decimal(n: number): string {
  return n >= 10 ? String(Math.round(n)) : n.toFixed(1);
}

function percent(rate: number): string {
  return `${decimal(rate * 100)}%`;
}

/** `42m`, `5h 10m`, `2.1 days`. */
export function span(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  if (ms < DAY) return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${decimal(ms / DAY)} days`;
}
