import type { DeploymentLog } from '../domain/deployment-log';
import { LOG_COLUMNS, deploymentLogRow, type LogCell, type LogRow } from '../domain/deployment-log-row';
import { parseDuration } from '../domain/duration';
import { InvalidRequestError } from '../domain/errors';

/**
 * `deploybot export`: deployment logs as CSV (RFC 4180) or JSON lines, one
 * row per release with the same columns either way (see deploymentLogRow).
 */
export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function isExportFormat(text: string): text is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(text);
}

/** The whole export as text, ending in a line break (none for no releases in JSON lines). */
export function exportLogs(logs: readonly DeploymentLog[], format: ExportFormat): string {
  const rows = logs.map(deploymentLogRow);
  return format === 'csv' ? toCsv(rows) : toJsonLines(rows);
}

/** A header line, then a line a row; CRLF between records, as RFC 4180 says. */
export function toCsv(rows: readonly LogRow[]): string {
  const lines = [
    LOG_COLUMNS.map(csvCell),
    ...rows.map((row) => LOG_COLUMNS.map((c) => csvCell(row[c] ?? null))),
  ];
  return lines.map((cells) => cells.join(',')).join('\r\n') + '\r\n';
}

export function toJsonLines(rows: readonly LogRow[]): string {
  return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}

/**
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage
 * return, which some strip first) as a formula: release notes and review
 * answers are typed by people, so such a cell gets a leading quote and is
 * shown as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: empty for null, formula-safe, quoted when it holds a comma, quote or line break. */
export function csvCell(value: LogCell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * `--since`: a duration back from now (`30d`, `12h`) or a UTC date
 * (`2026-11-01`); the epoch ms it names.
 */
export function parseSince(text: string, now: number): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const at = Date.parse(`${text}T00:00:00Z`);
    if (Number.isFinite(at)) return at;
  }
  throw new InvalidRequestError(
    'usage',
    `--since must be a duration like 30d or 12h, or a date like 2026-11-01, not "${text}"`,
  );
}
