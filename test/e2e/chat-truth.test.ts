import assert from 'node:assert/strict';
import type { Release } from '../../src/domain/release';
import type { FakeCall, FakeMessage } from '../../src/sandbox/fake-slack/types';
import { SlackHarness } from '../support/slack-harness';
import { testConfig } from '../support/test-config';

/**
 * One release that monitoring proposes to roll back, approved by an approver,
 * followed through real HTTP: after every post and edit the fake Slack sees,
 * the release message, its thread and `/deploy status` must tell the same story.
 */

const VERSION = 'v1.3.0-bad';
/** The release watches 24 samples (6 s in 250 ms slots); its rollback 4, so their status posts differ. */
const SAMPLES = 24;
const WATCHER = 'U0OUTSIDER';

/** Where a release is, as every surface must agree: later phases never go back. */
const PHASES: [RegExp, number][] = [
  [/^awaiting start\b/, 0],
  [/^running\b/, 1],
  [/^rolling back\b/, 2],
  [/^rolled back\b/, 3],
];
const PHASE_NAMES = ['awaiting start', 'running', 'rolling back', 'rolled back'];

function phaseOf(phrase: string, where: string): number {
  const found = PHASES.find(([pattern]) => pattern.test(phrase));
  if (!found) throw new Error(`${where} says neither of ${PHASE_NAMES.join(', ')}: ${phrase}`);
  return found[1];
}

/** The release's own sample count (`sample 12/24`), the highest one the text names. */
function countIn(text: string): number | undefined {
  const counts = [...text.matchAll(new RegExp(`sample (\\d+)/${SAMPLES}\\b`, 'g'))].map((m) => Number(m[1]));
  return counts.length === 0 ? undefined : Math.max(...counts);
}

/** Everything a message says, its notification text and its blocks, as one string. */
function allText(message: { text?: string; blocks?: unknown[] }): string {
  return `${message.text ?? ''}\n${JSON.stringify(message.blocks ?? [])}`;
}

/** What the message says the release is doing: its notification text after the subject. */
function phraseOf(message: FakeMessage): string {
  const match = /→ production: (.*)$/s.exec(message.text);
  if (!match?.[1]) throw new Error(`release message text without a state: ${message.text}`);
  return match[1];
}

/** The latest status post of the release's own monitoring in its thread (not its rollback's). */
function lastStatusPost(parent: FakeMessage): FakeMessage | undefined {
  return parent.replies.filter((r) => !r.text.startsWith('Rollback') && countIn(r.text) !== undefined).at(-1);
}

/** What one change looked like the moment the fake Slack made it. */
interface Snapshot {
  call: FakeCall;
  message: FakeMessage;
  phase: number;
  messageCount?: number;
  threadCount?: number;
}

/** What `/deploy status` says of the release, read over HTTP. */
interface StatusRead {
  phase: number;
  count?: number;
  text: string;
}

describe('chat tells the truth, live: message, thread and /deploy status agree', function () {
  this.timeout(60_000);
  let h: SlackHarness;
  let stopWatching: (() => void) | undefined;

  beforeEach(async () => {
    const config = testConfig();
    const production = config.apps.backend!.environments.production!;
    production.monitoring.window = 6_000;
    production.monitoring.interval = 250;
    production.monitoring.rollbackWindow = 1_000;
    production.monitoring.postEvery = 2;
    // Six probes a sample are the only traffic here: judge on ten of them.
    production.rollback.minRequests = 10;
    h = new SlackHarness(config);
    await h.start();
  });
  afterEach(async () => {
    stopWatching?.();
    await h.stop();
  });

  it('follows a bad release through its proposal, approval and rollback without one surface running ahead or lagging wrong', async () => {
    const { store } = h.engine.engine;
    for (const repo of ['backend', 'worker']) h.engine.cloud.images.add(`${repo}:${VERSION}`);
    const failures: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) failures.push(what);
    };

    // ---- /deploy status, one read at a time (each is a slash command answered on its response_url).
    let releaseId = '';
    let rollbackId: string | undefined = undefined;
    let statusChain: Promise<unknown> = Promise.resolve();
    const readStatus = (): Promise<StatusRead> => {
      const read = statusChain.then(async () => {
        const before = h.slack.ephemerals(WATCHER).length;
        await h.command(WATCHER, 'status');
        const reply = await h.slack.waitFor(() => h.slack.ephemerals(WATCHER)[before]);
        return statusOf(reply);
      });
      statusChain = read.catch(() => undefined);
      return read;
    };
    const statusOf = (reply: { text: string; blocks?: unknown[] }): StatusRead => {
      const lines = sectionLines(reply.blocks);
      const ids = (line: string) => [...line.matchAll(/r\d{8}t\d{6}-[0-9a-f]{4}/g)].map((m) => m[0]);
      // A line is the release's when it ends with the release's id (a rollback's line may name it too).
      // A lock's line names the release it rolled back: it is no release's line.
      const releaseLines = lines.filter((l) => !/\blocked\b/.test(l));
      const own = releaseLines.find((l) => ids(l).at(-1) === releaseId);
      const text = lines.join('\n');
      if (own) {
        const phrase = own.replace(/^\S+\s+/, '');
        return { phase: phaseOf(phrase, `status line ${own}`), count: countIn(own), text };
      }
      // The reverted release is no longer in flight: its rollback is, until it ends.
      const rollbackLine = rollbackId ? releaseLines.find((l) => ids(l).at(-1) === rollbackId) : undefined;
      return { phase: rollbackLine ? 2 : 3, text };
    };

    // ---- Every change the fake Slack sees, as it was at that moment.
    const snapshots: Snapshot[] = [];
    let parentTs = '';
    const statusChecks: Promise<void>[] = [];
    stopWatching = h.slack.onChange((change) => {
      if (change.kind !== 'call' || !change.call.ok || !parentTs) return;
      if (change.call.method !== 'chat.postMessage' && change.call.method !== 'chat.update') return;
      const parent = h.slack.findMessage(parentTs);
      if (!parent) return;
      const message = structuredClone(parent);
      let phase: number;
      try {
        phase = phaseOf(phraseOf(message), 'release message');
      } catch (error) {
        failures.push(String(error));
        return;
      }
      const snapshot: Snapshot = {
        call: change.call,
        message,
        phase,
        ...(phase === 1 ? { messageCount: countIn(phraseOf(message)) } : {}),
      };
      const post = lastStatusPost(message);
      if (post) snapshot.threadCount = countIn(post.text);
      snapshots.push(snapshot);
      // The message is never behind its thread: a status post at sample 12 under a message at 10 lies.
      if (snapshot.phase === 1 && snapshot.threadCount !== undefined) {
        check(
          (snapshot.messageCount ?? 0) >= snapshot.threadCount,
          `after ${change.call.method}: message at sample ${snapshot.messageCount} under a thread at ${snapshot.threadCount}`,
        );
      }
      // After each edit of the release message, status (read just after) is where it was or further on.
      if (change.call.method === 'chat.update' && change.call.body.ts === parentTs) {
        statusChecks.push(
          readStatus().then((status) => {
            check(
              status.phase >= snapshot.phase,
              `status says ${PHASE_NAMES[status.phase]} after the message said ${PHASE_NAMES[snapshot.phase]}`,
            );
            if (status.phase === 1 && snapshot.phase === 1 && snapshot.messageCount !== undefined) {
              check(
                (status.count ?? 0) >= snapshot.messageCount,
                `status at sample ${status.count} after the message said ${snapshot.messageCount}`,
              );
            }
          }),
        );
      }
    });

    // ---- Checkpoints: before each sample, the engine waits until the message caught up with the
    // store, then message and status, reading the same stored note, must say the same.
    let degraded = false;
    let approved = false;
    const checkpoints: number[] = [];
    const stored = async (): Promise<Release | undefined> => (releaseId ? store.get(releaseId) : undefined);
    h.engine.cloud.hook = async (method, phase) => {
      if (phase !== 'before') return;
      try {
        if (method === 'updateService' && approved) {
          await rollingBackCheckpoint();
          // Going back to the old revision heals the service.
          h.engine.probe.statusByPath.delete('/health');
        }
        if (method !== 'countMatches') return;
        const release = await stored();
        if (!release) return;
        // A new version that answers 500 once verified: only the rollback heals it.
        if (!degraded && release.steps.find((s) => s.name === 'verify')?.state === 'succeeded') {
          degraded = true;
          h.engine.probe.statusByPath.set('/health', 500);
        }
        if (release.state === 'running') await monitoringCheckpoint(release);
      } catch (error) {
        failures.push(`checkpoint: ${String(error)}`);
      }
    };
    const monitoringCheckpoint = async (release: Release) => {
      const note = release.steps.find((s) => s.name === 'monitor')?.progress.note;
      const storedCount = typeof note === 'string' ? countIn(note) : undefined;
      if (storedCount === undefined) return;
      const message = await h.slack.waitFor(() => {
        const m = h.slack.findMessage(parentTs);
        if (!m) return undefined;
        const phrase = phraseOf(m);
        return !phrase.startsWith('running') || countIn(phrase) === storedCount ? m : undefined;
      }, 10_000);
      if (!phraseOf(message).startsWith('running')) return;
      const status = await readStatus();
      // Nothing moved in between: this run of monitor waits for us before its next sample.
      const still = await stored();
      if (still?.state !== 'running' || still.steps.find((s) => s.name === 'monitor')?.progress.note !== note)
        return;
      check(status.phase === 1, `status says ${PHASE_NAMES[status.phase]} while the release runs`);
      check(
        status.count === storedCount,
        `status at sample ${status.count}, message at ${storedCount}: ${status.text}`,
      );
      const thread = lastStatusPost(message);
      const threadCount = thread ? countIn(thread.text) : undefined;
      check(
        threadCount === undefined || threadCount <= storedCount,
        `thread at sample ${threadCount} above a message at ${storedCount}`,
      );
      checkpoints.push(storedCount);
    };
    // The rollback about to point ECS back: the reverted release says rolling back, everywhere.
    let rollingBackSeen = false;
    const rollingBackCheckpoint = async () => {
      const message = await h.slack.waitFor(() => {
        const m = h.slack.findMessage(parentTs);
        return m && phaseOf(phraseOf(m), 'release message') >= 2 ? m : undefined;
      }, 10_000);
      check(
        phaseOf(phraseOf(message), 'release message') === 2,
        `before the rollback's deploy the release message says: ${message.text}`,
      );
      const status = await readStatus();
      check(status.phase === 2, `before the rollback's deploy status says: ${status.text}`);
      rollingBackSeen = true;
    };

    // ---- The release, as people drive it: /deploy, tick the checklist, press Start.
    const requested = await h.command('U0DEPLOYER', `${VERSION} backend production --type hotfix`);
    assert.equal(requested.status, 200);
    const parent = await h.slack.waitFor(() =>
      h.channelMessages().find((m) => allText(m).includes('release_start')),
    );
    const [release] = await store.history('backend');
    assert.ok(release);
    releaseId = release.id;
    parentTs = parent.ts;
    await h.engine.waitFor(releaseId, (r) => r.steps[0]?.state === 'succeeded');
    await h.tick('U0REQUESTER', parentTs, ['unit-tests', 'code-reviewed']);
    await h.slack.waitFor(() => allText(h.messageByTs(parentTs)).includes('U0REQUESTER'));
    await h.click('U0DEPLOYER', parentTs, 'release_start');

    // ---- Monitoring proposes; an approver approves.
    const proposal = await h.slack.waitFor(
      () => h.slack.findMessage(parentTs)?.replies.find((m) => allText(m).includes('rollback_approve')),
      20_000,
    );
    const proposed = await h.engine.waitFor(releaseId, (r) => r.facts.rollbackProposal !== undefined);
    rollbackId = proposed.facts.rollbackProposal;
    // The monitor line says so once the proposal exists, in the thread's words.
    await h.slack.waitFor(() => /\S+ fired — rollback proposed/.test(h.messageByTs(parentTs).text as string));
    approved = true;
    await h.click('U0APPROVER', proposal.ts, 'rollback_approve');

    const rollback = await h.engine.waitForEnd(rollbackId as string);
    assert.equal(rollback.state, 'succeeded', JSON.stringify(rollback.failure));
    await h.engine.waitForManualLock();
    const final = await h.slack.waitFor(() => {
      const m = h.slack.findMessage(parentTs);
      return m && /^rolled back\b/.test(phraseOf(m)) ? m : undefined;
    }, 10_000);
    const lockPost = await h.slack.waitFor(() =>
      h.slack
        .findMessage(parentTs)
        ?.replies.find((r) => r.text.includes('/deploy unlock backend production')),
    );
    await Promise.all(statusChecks);

    // ---- Every change agreed.
    assert.deepEqual(failures, []);
    assert.ok(checkpoints.length >= 2, `message and status compared at ${checkpoints.length} samples`);
    assert.ok(rollingBackSeen, 'compared while the rollback ran');
    // The release message moved forward only: awaiting start, running, rolling back, rolled back.
    const phases = snapshots.map((s) => s.phase).filter((p, i, all) => i === 0 || all[i - 1] !== p);
    assert.deepEqual(phases, [...phases].sort(), `release message went back: ${JSON.stringify(phases)}`);
    assert.deepEqual([...new Set(phases)].slice(-3), [1, 2, 3]);

    // "Rolled back" only after the rollback's deploy completed.
    const firstRolledBack = snapshots.find((s) => s.phase === 3);
    const deployed = rollback.steps.find((s) => s.name === 'deploy');
    assert.ok(firstRolledBack && deployed?.finishedAt !== undefined);
    assert.ok(
      deployed.finishedAt <= firstRolledBack.call.at,
      'the release message said "rolled back" before the rollback’s deploy completed',
    );
    for (const s of snapshots.filter((x) => x.phase < 3)) {
      assert.doesNotMatch(s.message.text, /rolled back/, 'nothing says rolled back before it is');
    }
    assert.match(phraseOf(final), new RegExp(`rollback ${rollbackId} finished`));

    // The thread: one thread, every post of the rollback in it, labelled, with its closing post.
    const threadPosts = h.slack.callsTo('chat.postMessage').filter((c) => c.body.thread_ts !== undefined);
    assert.ok(threadPosts.length > 0);
    for (const call of threadPosts)
      assert.equal(call.body.thread_ts, parentTs, 'posts go to the parent’s thread');
    const replies = h.messageByTs(parentTs).replies as FakeMessage[];
    const texts = replies.map((r) => r.text);
    const atApproval = texts.find((t) => t.startsWith(`backend ${VERSION} → production: rolling back`));
    assert.ok(atApproval, `the reverted release's closing post says rolling back: ${JSON.stringify(texts)}`);
    assert.ok(
      texts.some((t) => t.startsWith(`Rollback ${rollbackId} · deploy`)),
      `the rollback's steps are labelled: ${JSON.stringify(texts)}`,
    );
    const closing = texts.findIndex((t) =>
      new RegExp(`^Rollback of backend ${VERSION.replace(/\./g, '\\.')} → production: finished`).test(t),
    );
    assert.ok(closing >= 0, `the rollback's closing post names what finished: ${JSON.stringify(texts)}`);
    assert.match(texts[closing] ?? '', /backend-service back on backend:7/);

    // The lock: announced in the thread and to the channel, with the command that lifts it, and in status.
    assert.equal(lockPost.subtype, 'thread_broadcast');
    assert.ok(h.slack.timeline('C0ENGINEER').some((m) => m.ts === lockPost.ts));
    const status = await readStatus();
    assert.equal(status.phase, 3);
    assert.match(status.text, new RegExp(`rolled back ${VERSION.replace(/\./g, '\\.')}`));
    assert.match(status.text, /\/deploy unlock backend production/);
  });
});

/** The text of every section of a reply, line by line. */
function sectionLines(blocks: unknown[] | undefined): string[] {
  return (blocks ?? [])
    .flatMap((b) => {
      const block = b as { text?: { text?: string }; fields?: { text?: string }[] };
      return [block.text?.text ?? '', ...(block.fields ?? []).map((f) => f.text ?? '')];
    })
    .flatMap((t) => t.split('\n'))
    .filter((l) => l.trim() !== '');
}
