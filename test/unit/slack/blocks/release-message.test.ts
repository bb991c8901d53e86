import assert from 'node:assert/strict';
import type { PreflightCheck } from '../../../../src/domain/checklist';
import type { Block } from '../../../../src/slack/blocks/block';
import { releaseMessage, type ReleaseView } from '../../../../src/slack/blocks/release-message';
import {
  ALL_CHECKS_OK,
  T0,
  aRelease,
  allText,
  assertWithinLimits,
  blocksOfType,
  buttons,
  checkboxes,
  done,
  statuses,
  textOf,
  withSteps,
} from './fixtures';

const TICKS = {
  'unit-tests': { by: 'U0ALICE', at: T0 + 60_000 },
  coverage: { by: 'U0BOB', at: T0 + 90_000 },
};

function view(overrides: Partial<ReleaseView> = {}): ReleaseView {
  return { release: aRelease(), checklist: statuses(), now: T0 + 120_000, ...overrides };
}

const contexts = (blocks: Block[]): string[] =>
  blocks.filter((b) => b.type === 'context').flatMap((b) => (b.elements as Block[]).map(textOf));

/** Every mrkdwn text object anywhere in the blocks (plain_text is shown as written, so skipped). */
function mrkdwnOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnOf);
  if (typeof value !== 'object' || value === null) return [];
  const object = value as Block;
  if (object.type === 'mrkdwn') return [String(object.text)];
  return Object.values(object).flatMap(mrkdwnOf);
}

const STARTED = T0 + 300_000;

function runningRelease() {
  return withSteps(aRelease({ state: 'running', startedAt: STARTED, checklist: TICKS }), {
    preflight: done(T0, 12, '9 checks passed'),
    backup: done(STARTED, 95, 'snapshot backend-r1 is available'),
    baseline: done(STARTED + 95_000, 20, 'p50 42ms, p95 88ms, p99 120ms, 5xx 0.0%, 1.2 error logs/min'),
    migrate: done(STARTED + 115_000, 40, '`alembic upgrade head` exited 0'),
    deploy: {
      state: 'waiting',
      startedAt: STARTED + 155_000,
      runs: 2,
      progress: { note: 'backend-service: 1/2 tasks on backend:43' },
    },
  });
}

describe('releaseMessage', () => {
  describe('awaiting start', () => {
    it('heads the message with app, version and environment', () => {
      const out = releaseMessage(view());
      assert.deepEqual(out.blocks[0], {
        type: 'header',
        text: { type: 'plain_text', text: ':rocket: backend v1.2.0 → production', emoji: true },
      });
      const fields = (out.blocks[1]?.fields as Block[]).map(textOf);
      assert.deepEqual(fields, [
        '*Type*\nminor',
        '*Requested by*\n<@U0DEPLOYER>',
        '*Release id*\n`r20261127t171340-3f9a`',
        '*State*\n📋 awaiting start',
      ]);
      assertWithinLimits(out);
    });

    it('shows the five manual sections as checkboxes, split at 10 options', () => {
      const out = releaseMessage(view());
      const titles = blocksOfType(out, 'section')
        .map((b) => textOf(b.text))
        .filter((t) => /^\*[^*]+\* {2}\d+\/\d+ ticked$/.test(t));
      assert.deepEqual(titles, [
        '*Code Quality*  0/8 ticked',
        '*Database*  0/5 ticked',
        '*Documentation*  0/5 ticked',
        '*Performance*  0/5 ticked',
        '*Security*  0/7 ticked',
      ]);
      const boxes = checkboxes(out);
      assert.equal(boxes.length, 5);
      assert.deepEqual(
        boxes.map((b) => b.action_id),
        ['checklist:1', 'checklist:2', 'checklist:3', 'checklist:4', 'checklist:5'],
      );
      assert.deepEqual(
        blocksOfType(out, 'actions')
          .map((b) => b.block_id)
          .filter((id) => String(id).startsWith('checklist-')),
        [
          'checklist-code-quality-0',
          'checklist-database-0',
          'checklist-documentation-0',
          'checklist-performance-0',
          'checklist-security-0',
        ],
      );
      const values = boxes.flatMap((b) => (b.options as Block[]).map((o) => o.value));
      assert.equal(values.length, 30);
      assert.ok(values.includes('unit-tests') && values.includes('cors'));
      assert.ok(!values.includes('image-pushed'), 'automated items are not checkboxes');
    });

    it('marks required items and ticks ticked ones with who ticked them', () => {
      const out = releaseMessage(
        view({ release: aRelease({ checklist: TICKS }), checklist: statuses(TICKS) }),
      );
      const codeQuality = checkboxes(out)[0] as Block;
      const options = codeQuality.options as Block[];
      assert.deepEqual(options[0], {
        text: { type: 'plain_text', text: 'All unit tests passing (required)', emoji: true },
        value: 'unit-tests',
        description: { type: 'mrkdwn', text: 'ticked by <@U0ALICE>' },
      });
      assert.deepEqual(options[1], {
        text: { type: 'plain_text', text: 'All integration tests passing', emoji: true },
        value: 'integration-tests',
      });
      const initial = codeQuality.initial_options as Block[];
      assert.deepEqual(
        initial.map((o) => o.value),
        ['unit-tests', 'coverage'],
      );
      for (const option of initial) {
        assert.deepEqual(
          option,
          options.find((o) => o.value === option.value),
          'initial option equals its option exactly',
        );
      }
      assert.equal(textOf(initial[1]?.description), 'ticked by <@U0BOB>');
      assert.equal(
        checkboxes(out)[1]?.initial_options,
        undefined,
        'no initial_options when nothing is ticked',
      );
    });

    it('names the required items that hold up the start', () => {
      const out = releaseMessage(view({ checklist: statuses(TICKS) }));
      assert.ok(
        contexts(out.blocks).includes('*Start needs:* Code reviewed by at least one other developer'),
        contexts(out.blocks).join('\n'),
      );
      const none = releaseMessage(view({ checklist: statuses({}) }));
      assert.ok(
        contexts(none.blocks).includes(
          '*Start needs:* All unit tests passing, Code reviewed by at least one other developer',
        ),
      );
      const all = statuses({ ...TICKS, 'code-reviewed': { by: 'U0CAROL', at: T0 } });
      assert.ok(
        contexts(releaseMessage(view({ checklist: all })).blocks).includes('✅ All required items ticked'),
      );
    });

    it('shows what preflight proved: ticked, failed with evidence, pending and not applicable', () => {
      const checks: PreflightCheck[] = [
        { id: 'image:backend', ok: false, text: 'image v1.2.0 missing for backend' },
        { id: 'image:worker', ok: true, text: 'image v1.2.0 exists for worker' },
        { id: 'service-steady:backend-service', ok: true, text: 'backend-service: 2/2 tasks running' },
        { id: 'database-available', ok: true, text: 'db is available' },
      ];
      const out = releaseMessage(view({ checklist: statuses({}, checks) }));
      const automated = textOf(
        blocksOfType(out, 'section').find((b) => textOf(b.text).includes('Automated'))?.text,
      );
      assert.equal(
        automated,
        [
          '*Automated checks* — _checked by preflight_',
          '❌ failed · Image pushed to ECR for every released container',
          '        ✗ image v1.2.0 missing for backend',
          '        ✓ image v1.2.0 exists for worker',
          '✅ passed · Services steady: no rollout in flight, all tasks running',
          '✅ passed · Database available',
          '➖ not applicable · Same version succeeded in the required environment, which is healthy',
        ].join('\n'),
      );
      assert.match(
        contexts(out.blocks).join('\n'),
        /Image pushed to ECR for every released container \(preflight failed\)/,
      );

      const pending = releaseMessage(view({ checklist: statuses({}, 'pending') }));
      assert.match(allText(pending), /⏳ checking · Database available/);
      assert.match(allText(pending), /Database available \(preflight checking\)/);
    });

    it('offers Start and Cancel, each behind a confirm dialog', () => {
      const out = releaseMessage(view());
      const [start, cancel] = buttons(out);
      assert.deepEqual(start, {
        type: 'button',
        text: { type: 'plain_text', text: 'Start deployment', emoji: true },
        action_id: 'release_start',
        value: 'r20261127t171340-3f9a',
        style: 'primary',
        confirm: {
          title: { type: 'plain_text', text: 'Start deployment?', emoji: true },
          text: { type: 'plain_text', text: 'Start deploying backend v1.2.0 to production?', emoji: true },
          confirm: { type: 'plain_text', text: 'Start', emoji: true },
          deny: { type: 'plain_text', text: 'Not yet', emoji: true },
        },
      });
      assert.equal(cancel?.action_id, 'release_cancel');
      assert.equal(cancel?.value, 'r20261127t171340-3f9a');
      assert.equal(cancel?.style, 'danger');
      assert.match(
        textOf((cancel?.confirm as Block).text),
        /^Cancel the release of backend v1\.2\.0 to production\?/,
      );
    });

    it('mentions the on-call user or user group', () => {
      assert.ok(
        contexts(releaseMessage(view({ onCall: 'U0ONCALL' })).blocks).includes(
          ':pager: On call: <@U0ONCALL>',
        ),
      );
      assert.ok(
        contexts(releaseMessage(view({ onCall: 'S0OPS' })).blocks).includes(
          ':pager: On call: <!subteam^S0OPS>',
        ),
      );
      assert.ok(!allText(releaseMessage(view())).includes('On call'));
    });

    it('renders release notes as mrkdwn', () => {
      const out = releaseMessage(view({ releaseNotes: '## [1.2.0]\n### Added\n- **CSV** export\n' }));
      assert.ok(allText(out).includes('*Release notes*\n*[1.2.0]*\n*Added*\n• *CSV* export'));
    });

    it('escapes what people and configuration wrote', () => {
      const release = aRelease({
        app: 'a&b',
        version: '<script>alert(1)</script>',
        requestedBy: 'cli:<@U0EVIL>',
      });
      const out = releaseMessage(
        view({
          release,
          releaseNotes: 'Fixes <!channel> & more',
          checklist: statuses({}, [{ id: 'image:x', ok: false, text: 'tag <b> missing & gone' }]),
        }),
      );
      const text = allText(out);
      assert.ok(text.includes('Fixes &lt;!channel&gt; &amp; more'));
      assert.ok(text.includes('cli:&lt;@U0EVIL&gt;'));
      assert.ok(text.includes('tag &lt;b&gt; missing &amp; gone'));
      const mrkdwnTexts = mrkdwnOf(out.blocks).join('\n');
      for (const raw of ['<!channel>', '<script>', '<b>', '<@U0EVIL>', 'a&b'])
        assert.ok(!mrkdwnTexts.includes(raw), raw);
      assert.ok(text.includes('*Type*: minor'));
      assert.ok(!/<(?!@U0)/.test(out.text), out.text);
      // Plain text (header, confirm) is not parsed by Slack, so it stays as written.
      assert.equal(textOf(out.blocks[0]?.text), ':rocket: a&b <script>alert(1)</script> → production');
    });

    it("stays in place: the footer says when it was last updated, in the reader's time zone", () => {
      const now = Date.UTC(2026, 10, 27, 17, 20, 5);
      const out = releaseMessage(view({ now }));
      assert.equal(contexts(out.blocks).at(-1), `Updated <!date^${Math.floor(now / 1000)}^{time}|17:20 UTC>`);
    });
  });

  describe('running', () => {
    const out = releaseMessage(
      view({ release: runningRelease(), checklist: statuses(TICKS), now: STARTED + 250_000 }),
    );

    it('lists every step with its state, duration and note', () => {
      const steps = blocksOfType(out, 'section')
        .map((b) => textOf(b.text))
        .find((t) => t.startsWith('✅ succeeded · *preflight*'));
      assert.equal(
        steps,
        [
          '✅ succeeded · *preflight* 12s — 9 checks passed',
          '✅ succeeded · *backup* 1m 35s — snapshot backend-r1 is available',
          '✅ succeeded · *baseline* 20s — p50 42ms, p95 88ms, p99 120ms, 5xx 0.0%, 1.2 error logs/min',
          '✅ succeeded · *migrate* 40s — `alembic upgrade head` exited 0',
          '⏳ waiting · *deploy* 1m 35s — backend-service: 1/2 tasks on backend:43',
          '⬜ pending · *verify*',
          '⬜ pending · *monitor*',
        ].join('\n'),
      );
    });

    it('no longer shows the checklist, only who ticked it', () => {
      assert.equal(checkboxes(out).length, 0);
      assert.ok(contexts(out.blocks).includes('Checklist: 5/6 required ticked by <@U0ALICE>, <@U0BOB>'));
    });

    it('offers only Cancel', () => {
      assert.deepEqual(
        buttons(out).map((b) => b.action_id),
        ['release_cancel'],
      );
      assertWithinLimits(out);
    });

    it('shows skip reasons', () => {
      const skipped = withSteps(runningRelease(), {
        backup: {
          state: 'skipped',
          reason: 'no database configured',
          startedAt: undefined,
          finishedAt: undefined,
        },
      });
      assert.match(
        allText(releaseMessage(view({ release: skipped }))),
        /➖ skipped · \*backup\* — no database configured/,
      );
    });
  });

  describe('finished', () => {
    it('says how long a successful release took', () => {
      const release = withSteps(
        aRelease({ state: 'succeeded', startedAt: STARTED, endedAt: STARTED + 252_000 }),
        { verify: done(STARTED + 200_000, 52, '3 health endpoints answered 2xx') },
      );
      const out = releaseMessage(view({ release, now: STARTED + 999_000 }));
      assert.ok(allText(out).includes('✅ Released in 4m 12s'));
      assert.equal(buttons(out).length, 0);
      assertWithinLimits(out);
    });

    it("says the error once, on the failed step's line, and where it failed, without its code", () => {
      const release = withSteps(
        aRelease({
          state: 'failed',
          startedAt: STARTED,
          endedAt: STARTED + 130_000,
          failure: { step: 'migrate', code: 'MIGRATION_FAILED', message: 'exit 1: relation <x> exists' },
        }),
        {
          migrate: {
            state: 'failed',
            startedAt: STARTED,
            finishedAt: STARTED + 30_000,
            error: { code: 'MIGRATION_FAILED', message: 'exit 1' },
          },
        },
      );
      const out = releaseMessage(view({ release }));
      const text = allText(out);
      assert.match(text, /^❌ Failed at \*migrate\*$/m);
      assert.match(text, /❌ failed · \*migrate\* 30s — exit 1$/m);
      assert.doesNotMatch(text, /MIGRATION_FAILED/);
      assert.equal(text.match(/exit 1/g)?.length, 1, text);
      assert.equal(buttons(out).length, 0);
      assert.equal(
        out.text,
        'backend v1.2.0 → production: failed at migrate — exit 1: relation &lt;x&gt; exists',
      );
    });

    it('says who cancelled', () => {
      const out = releaseMessage(view({ release: aRelease({ state: 'cancelled', cancelledBy: 'U0CAROL' }) }));
      assert.ok(allText(out).includes('🚫 Cancelled by <@U0CAROL>'));
      assert.equal(buttons(out).length, 0);
    });
  });

  it('has a fallback text for notifications', () => {
    assert.equal(
      releaseMessage(view({ checklist: statuses(TICKS) })).text,
      'backend v1.2.0 → production: awaiting start (checklist 5/6 required ticked)',
    );
    assert.equal(
      releaseMessage(view({ release: runningRelease(), now: STARTED + 250_000 })).text,
      'backend v1.2.0 → production: running: deploy waiting 1m 35s — backend-service: 1/2 tasks on backend:43',
    );
    assert.ok(ALL_CHECKS_OK.length > 0);
  });
});
