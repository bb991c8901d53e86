/**
 * The runbook's pre-release checklist (release-checklist.md, "Pre-Release
 * Checklist") plus the items preflight proves by itself. People tick the first
 * kind in Slack; the second kind ticks itself from preflight's check results.
 */
export interface ChecklistItem {
  id: string;
  section: string;
  text: string;
  /** Preflight check ids (exact, or a prefix ending in ':') that prove this item. */
  provedBy?: string[];
}

export const AUTOMATED_SECTION = 'Automated (preflight)';

export const AUTOMATED_ITEMS: ChecklistItem[] = [
  {
    id: 'image-pushed',
    section: AUTOMATED_SECTION,
    text: 'Image pushed to ECR for every released container',
    provedBy: ['image:'],
  },
  {
    id: 'services-steady',
    section: AUTOMATED_SECTION,
    text: 'Services steady: no rollout in flight, all tasks running',
    provedBy: ['service-idle:', 'service-steady:'],
  },
  {
    id: 'database-ready',
    section: AUTOMATED_SECTION,
    text: 'Database available',
    provedBy: ['database-available'],
  },
  {
    id: 'staging-green',
    section: AUTOMATED_SECTION,
    text: 'Same version succeeded in the required environment, which is healthy',
    provedBy: ['required-environment', 'required-environment-healthy'],
  },
];

const section = (name: string, items: [string, string][]): ChecklistItem[] =>
  items.map(([id, text]) => ({ id, section: name, text }));

export const MANUAL_ITEMS: ChecklistItem[] = [
  ...section('Code Quality', [
    ['unit-tests', 'All unit tests passing'],
    ['integration-tests', 'All integration tests passing'],
    ['e2e-tests', 'End-to-end tests passing'],
    ['coverage', 'Code coverage >= 80%'],
    ['no-critical-vulns', 'No critical security vulnerabilities'],
    ['code-reviewed', 'Code reviewed by at least one other developer'],
    ['pr-comments', 'All PR comments addressed'],
    ['branch-up-to-date', 'Branch is up to date with main'],
  ]),
  ...section('Database', [
    ['migrations-tested', 'Database migrations tested in staging'],
    ['rollback-migration-tested', 'Rollback migration tested'],
    ['backward-compatible', 'No backward-incompatible schema changes without deprecation'],
    ['indexes', 'Indexes added for new queries'],
    ['no-n-plus-one', 'No queries with N+1 problems'],
  ]),
  ...section('Documentation', [
    ['changelog', 'CHANGELOG.md updated'],
    ['api-docs', 'API documentation updated (if API changed)'],
    ['user-guide', 'User Guide updated (if UI changed)'],
    ['runbook', 'Runbook updated (if new operational procedures)'],
    ['migration-guide', 'Migration guide updated (if data model changed)'],
  ]),
  ...section('Performance', [
    ['load-tested', 'Load tested in staging'],
    ['no-regressions', 'Response times within 10% of baseline'],
    ['query-performance', 'Database query performance verified'],
    ['cache-hit-rate', 'Cache hit rates acceptable (> 70%)'],
    ['no-memory-leaks', 'No memory leaks detected'],
  ]),
  ...section('Security', [
    ['no-secrets', 'No secrets committed to git'],
    ['env-documented', 'All environment variables documented in .env.example'],
    ['secrets-rotated', 'Secrets rotated if needed'],
    ['secrets-manager', 'AWS Secrets Manager updated'],
    ['owasp', 'OWASP top 10 vulnerabilities checked'],
    ['rate-limiting', 'API rate limiting configured'],
    ['cors', 'CORS settings verified'],
  ]),
];

export const CHECKLIST: ChecklistItem[] = [...AUTOMATED_ITEMS, ...MANUAL_ITEMS];

export function isChecklistItemId(id: string): boolean {
  return CHECKLIST.some((item) => item.id === id);
}

export function isAutomated(item: ChecklistItem): boolean {
  return item.provedBy !== undefined;
}

/** Who ticked a manual item and when. */
export interface Tick {
  by: string;
  at: number;
  /** Why deploybot ticked it rather than a person, e.g. "release r… succeeded in staging". */
  note?: string;
}

export interface PreflightCheck {
  id: string;
  ok: boolean;
  text: string;
}

export type ItemState = 'ticked' | 'open' | 'failed' | 'pending' | 'not-applicable';

export interface ItemStatus {
  item: ChecklistItem;
  state: ItemState;
  required: boolean;
  /** Who ticked it, for manual items; undefined for automated ones. */
  tick?: Tick;
  /** For automated items: what preflight found. */
  evidence?: string[];
}

/**
 * Every item's state for one release. An automated item is `pending` until
 * preflight has reported, `ticked` when all its checks passed, `failed` when one
 * failed, and `not-applicable` when preflight ran no check for it (no database,
 * no required environment, a hotfix).
 */
export function checklistStatus(
  items: ChecklistItem[],
  ticks: Record<string, Tick>,
  checks: PreflightCheck[] | undefined,
  required: readonly string[],
): ItemStatus[] {
  return items.map((item) => {
    const isRequired = required.includes(item.id);
    if (!isAutomated(item)) {
      const tick = ticks[item.id];
      return { item, state: tick ? 'ticked' : 'open', required: isRequired, ...(tick ? { tick } : {}) };
    }
    if (!checks) return { item, state: 'pending', required: isRequired };
    const proving = checks.filter((c) =>
      item.provedBy?.some((p) => (p.endsWith(':') ? c.id.startsWith(p) : c.id === p)),
    );
    if (proving.length === 0) return { item, state: 'not-applicable', required: false };
    const state: ItemState = proving.every((c) => c.ok) ? 'ticked' : 'failed';
    return {
      item,
      state,
      required: isRequired,
      evidence: proving.map((c) => `${c.ok ? '✓' : '✗'} ${c.text}`),
    };
  });
}

/** The required items that hold up the start, in checklist order. */
export function missingForStart(status: ItemStatus[]): ItemStatus[] {
  return status.filter((s) => s.required && s.state !== 'ticked' && s.state !== 'not-applicable');
}

/** Items required unless the configuration says otherwise: what preflight proves, plus review and tests. */
export const DEFAULT_REQUIRED = [
  'image-pushed',
  'services-steady',
  'database-ready',
  'staging-green',
  'unit-tests',
  'code-reviewed',
];
