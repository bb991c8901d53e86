import assert from 'node:assert/strict';
import type { Release } from '../../../../src/domain/release';
import { homeView } from '../../../../src/slack/home/home-view';
import { HOME_VIEW_LIMITS, homeViewProblems } from '../../../../src/slack/home/home-view-limits';
import type { AppRow, TeamView } from '../../../../src/slack/home/team-view-model';
import { T0, aRelease } from '../blocks/fixtures';

/** `length` characters that each escape to 5 (`&amp;`), the worst case for mrkdwn. */
const nasty = (length: number): string => '&<>'.repeat(Math.ceil(length / 3)).slice(0, length);

type Json = Record<string, unknown>;

function texts(value: unknown): string {
  return JSON.stringify(value) ?? '';
}

/** The section that starts with `title`, as its mrkdwn text. */
function sectionText(view: { blocks: unknown[] }, title: string): string {
  const found = view.blocks.find((b) => texts((b as Json).text).includes(title)) as Json | undefined;
  assert.ok(found, `no section titled ${title}`);
  return (found.text as { text: string }).text;
}

function proposal(n: number, overrides: Partial<Release> = {}): Release {
  return aRelease({
    id: `r20261127t1713${String(n).padStart(2, '0')}-roll`,
    version: `v1.${n}.0`,
    type: 'hotfix',
    requestedBy: 'U0DEPLOYER',
    createdAt: T0 + n,
    rollbackOf: {
      releaseId: `r-reverted-${n}`,
      version: `v1.${n}.0`,
      requestedBy: 'U0REQUESTER',
      reason: nasty(500),
    },
    proposal: { expects: {} },
    chat: { channel: 'C0ENGINEER', ts: '1764262000.000100' },
    ...overrides,
  });
}

/** Every app with everything at once: locked, frozen, busy, a long queue, long names. */
function busyApp(i: number, nameLength = 12): AppRow {
  const app = `${nasty(Math.max(0, nameLength - 4))}${String(i).padStart(4, '0')}`;
  return {
    app,
    environments: ['staging', 'production'].map((environment) => ({
      environment: environment + nasty(40),
      running: {
        version: `v9.${i}.0-${nasty(40)}`,
        since: T0,
        releaseId: `r-${i}`,
        restoredBy: 'r-rollback',
      },
      lock: { kind: 'manual' as const, by: 'U0APPROVER', reason: nasty(2000), since: T0 },
      freeze: { reason: nasty(2000), until: T0 + 86_400_000 },
      inFlight: Array.from({ length: 6 }, (_, k) =>
        aRelease({
          id: `r-${i}-${k}`,
          app,
          environment,
          version: `v${k}.0.0-${nasty(60)}`,
          state: 'running',
        }),
      ),
      queued: Array.from({ length: 20 }, (_, k) =>
        aRelease({ id: `q-${i}-${k}`, app, environment, version: `v${k}.1.0`, state: 'queued' }),
      ),
    })),
  };
}

function team(apps: AppRow[], overrides: Partial<TeamView> = {}): TeamView {
  return {
    viewer: 'U0APPROVER',
    now: T0,
    apps,
    pendingApprovals: [],
    lastReleases: [],
    related: {},
    ...overrides,
  };
}

describe('the Home tab view', () => {
  it('fits Slack’s Home limits at 50 apps × 2 environments with everything going on at once', () => {
    const approvals = Array.from({ length: 60 }, (_, n) => proposal(n));
    const last = Array.from({ length: 10 }, (_, n) =>
      aRelease({
        id: `r-last-${n}`,
        version: `v2.${n}.0-${nasty(60)}`,
        state: 'succeeded',
        createdAt: T0 - n,
      }),
    );
    const view = homeView(
      team(
        Array.from({ length: 50 }, (_, i) => busyApp(i, 255)),
        {
          pendingApprovals: approvals,
          lastReleases: last,
          dora: { title: nasty(300), lines: Array.from({ length: 200 }, () => nasty(200)) },
        },
      ),
    );
    assert.deepEqual(homeViewProblems(view), []);
    assert.ok(view.blocks.length <= HOME_VIEW_LIMITS.blocks);
    // Every app has its own section: none is dropped to make room at 50.
    const appSections = view.blocks.filter((b) => (b as unknown as Json).fields !== undefined);
    assert.equal(appSections.length, 50);
    assert.doesNotMatch(texts(view), /more apps? not shown/);
    assert.match(sectionText(view, 'Waiting for your approval'), /more rollbacks not shown/);
    assert.match(sectionText(view, 'Delivery figures'), /more figures not shown/);
  });

  it('names the apps beyond the 100-block budget instead of exceeding it', () => {
    const apps = Array.from({ length: 150 }, (_, i) => busyApp(i));
    const view = homeView(team(apps));
    assert.deepEqual(homeViewProblems(view), []);
    const shown = view.blocks.filter((b) => (b as unknown as Json).fields !== undefined).length;
    assert.ok(shown >= 80, `only ${shown} apps shown`);
    const note = texts(view.blocks.at(-3));
    assert.match(note, new RegExp(`${150 - shown} more apps not shown here`));
    assert.match(note, /0149/);
  });

  it('shows what runs and since when, the lock, the freeze, what is in flight and queued', () => {
    const row = busyApp(7);
    const field = texts(homeView(team([row])).blocks.find((b) => (b as unknown as Json).fields));
    assert.match(field, /runs `v9\.7\.0-/);
    assert.match(field, /since <!date\^\d+\^\{date_short\} \{time\}\|2026-11-27 17:13 UTC>/);
    assert.match(field, /rolled back to/);
    assert.match(field, /locked by <@U0APPROVER>/);
    assert.match(field, /frozen until/);
    assert.match(field, /3 more in flight/);
    assert.match(field, /queued: `v0\.1\.0`, `v1\.1\.0`, `v2\.1\.0` and 17 more/);
  });

  it('says an idle environment is free, and one without a known release says so', () => {
    const view = homeView(
      team([{ app: 'backend', environments: [{ environment: 'staging', inFlight: [], queued: [] }] }]),
    );
    assert.match(texts(view), /running version not known: no release through deploybot yet/);
    assert.match(texts(view), /free to deploy/);
  });

  it('lists the viewer’s pending rollbacks with who proposed them and where, or says there are none', () => {
    const one = proposal(3, {
      rollbackOf: {
        releaseId: 'r-x',
        version: 'v1.3.0-bad',
        requestedBy: 'U0REQUESTER',
        reason: 'errors <up>',
      },
    });
    const waiting = sectionText(homeView(team([], { pendingApprovals: [one] })), 'Waiting for your approval');
    assert.match(waiting, /Rollback of \*backend\* `v1\.3\.0` → \*production\*/);
    assert.match(waiting, /awaiting approval/);
    assert.match(waiting, /proposed by <@U0DEPLOYER>/);
    assert.match(waiting, /in <#C0ENGINEER>/);
    assert.match(waiting, /errors &lt;up&gt;/);
    const none = sectionText(homeView(team([])), 'Waiting for your approval');
    assert.match(none, /Nothing is waiting for your approval/);
  });

  it('lists the last releases newest first, a reverted one as rolled back', () => {
    const rollback = aRelease({
      id: 'r-rb',
      state: 'succeeded',
      rollbackOf: { releaseId: 'r-bad', version: 'v1.3.0', requestedBy: 'U0DEPLOYER' },
    });
    const bad = aRelease({
      id: 'r-bad',
      version: 'v1.3.0',
      state: 'succeeded',
      rolledBackBy: 'r-rb',
      createdAt: T0 - 1,
    });
    const good = aRelease({ id: 'r-good', version: 'v1.2.0', state: 'succeeded', createdAt: T0 - 2 });
    const last = sectionText(
      homeView(team([], { lastReleases: [rollback, bad, good], related: { 'r-rb': rollback } })),
      'Last 3 releases',
    );
    const lines = last.split('\n').slice(1);
    assert.equal(lines.length, 3);
    assert.match(lines[0] ?? '', /rollback · succeeded/);
    assert.match(lines[1] ?? '', /`v1\.3\.0`.* · rolled back · by <@U0DEPLOYER>/);
    assert.match(lines[2] ?? '', /`v1\.2\.0`.* · succeeded/);
  });

  it('leaves the DORA part out until figures are plugged in', () => {
    assert.doesNotMatch(texts(homeView(team([]))), /DORA/);
    const view = homeView(
      team([], { dora: { title: 'Last 30 days', lines: ['Deployment frequency: 4.2 a day'] } }),
    );
    assert.match(sectionText(view, 'DORA'), /Last 30 days\nDeployment frequency: 4\.2 a day/);
  });
});

describe('homeViewProblems', () => {
  const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

  it('allows 100 blocks, refuses 101', () => {
    const blocks = Array.from({ length: 100 }, () => section('x'));
    assert.deepEqual(homeViewProblems({ type: 'home', blocks }), []);
    assert.deepEqual(homeViewProblems({ type: 'home', blocks: [...blocks, section('y')] }), [
      'view has 101 blocks (max 100)',
    ]);
  });

  it('finds a block past the 50th that breaks a block limit, and duplicate block ids', () => {
    const blocks: Json[] = Array.from({ length: 60 }, () => section('x'));
    blocks[55] = section('y'.repeat(3001));
    blocks[1] = { ...section('a'), block_id: 'same' };
    blocks[2] = { ...section('b'), block_id: 'same' };
    assert.deepEqual(homeViewProblems({ type: 'home', blocks }), [
      'blocks[2]: duplicate block_id same',
      'blocks[55] (section): section text has 3001 characters (max 3000)',
    ]);
  });

  it('refuses what is not a Home view', () => {
    assert.deepEqual(homeViewProblems({ type: 'modal', blocks: [] }), ['view type is modal, not home']);
    assert.deepEqual(homeViewProblems({ type: 'home', blocks: [], private_metadata: 'm'.repeat(3001) }), [
      'view private_metadata is not a string of at most 3000 characters',
    ]);
  });
});
