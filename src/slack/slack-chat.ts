import type { WebClient } from '@slack/web-api';
import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import type { Release, StepName } from '../domain/release';
import { releaseChecklist } from '../engine/release-checklist';
import { updateRelease } from '../engine/update-release';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { QueueTurn, ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import {
  appLockedMessage,
  releaseFinishedMessage,
  releaseMessage,
  rollbackMessage,
  stepDetailMessage,
} from './blocks';
import { overrideNotice } from './blocks/override-banner';
import { queueTurnMessage, supersededQuestion } from './blocks/queue-blocks';
import type { QueueSlot } from '../domain/deploy-queue';
import { reviewPromptMessage } from './blocks/review-prompt';
import type { ChannelPacer } from './channel-pacer';
import type { ReleaseNotesSource } from './release-notes-source';
import { UpdateCoalescer, type UpdateGate } from './update-coalescer';

export interface SlackChatDeps {
  client: WebClient;
  store: ReleaseStore;
  config: Config;
  clock: Clock;
  logger: Logger;
  pacer: ChannelPacer;
  gate: UpdateGate;
  notes: ReleaseNotesSource;
  /** One chat.update per release at most this often (Slack's chat.update is tier 3). */
  updateIntervalMs?: number;
  /** A queued release's place (engine.releaseQueue.slotOf); without it a queued message says why it waits. */
  queueSlotOf?: (release: Release) => Promise<QueueSlot | undefined>;
}

type ChatRef = NonNullable<Release['chat']>;
type PostArgs = Parameters<WebClient['chat']['postMessage']>[0];

/** How far up a chain of rollbacks (a rollback of a rollback) a thread is looked for. */
const MAX_THREAD_HOPS = 3;
/** How long past the update interval a thread post waits for its message's update: Slack answers within seconds. */
const FLUSH_GRACE_MS = 5_000;

/**
 * The release in Slack: one parent message kept up to date in place, and
 * details in its thread. Posts go through a per-channel pacer; edits through a
 * coalescer, so a busy release cannot exceed Slack's rates.
 */
export class SlackChat implements ReleaseChat {
  private readonly coalescer: UpdateCoalescer;

  private readonly updateIntervalMs: number;

  constructor(private readonly deps: SlackChatDeps) {
    this.updateIntervalMs = deps.updateIntervalMs ?? 2000;
    this.coalescer = new UpdateCoalescer(
      (id) => this.refresh(id),
      deps.gate,
      this.updateIntervalMs,
      (error) => deps.logger.warn({ err: error }, 'slack update failed'),
    );
  }

  async releaseCreated(release: Release): Promise<void> {
    // A rollback proposal goes into the thread of the release it reverts, and to the channel.
    const thread = release.rollbackOf ? await this.parentThread(release) : undefined;
    const channel = thread?.channel ?? this.channelFor(release);
    const message = await this.render(release);
    const post = thread
      ? { channel, ...message, thread_ts: thread.ts, reply_broadcast: true, unfurl_links: false }
      : { channel, ...message, unfurl_links: false, unfurl_media: false };
    const answer = await this.deps.pacer.run(channel, () =>
      this.deps.client.chat.postMessage(post as unknown as PostArgs),
    );
    if (!answer.channel || !answer.ts) throw new Error('chat.postMessage answered without channel and ts');
    const ref = { channel: answer.channel, ts: answer.ts };
    await updateRelease(this.deps.store, release.id, (r) => (r.chat ? undefined : { ...r, chat: ref }));
  }

  async releaseUpdated(release: Release): Promise<void> {
    // The channel lets the gate keep each channel's edits within Slack's budget.
    const channel = this.editChannelOf(release);
    this.coalescer.request(release.id, channel);
    // What the reverted release shows ("rolling back") follows its rollback.
    if (release.rollbackOf) this.coalescer.request(release.rollbackOf.releaseId, channel);
  }

  async stepDetail(release: Release, step: StepName, lines: string[]): Promise<void> {
    const thread = await this.threadOf(release);
    if (!thread) return;
    await this.flush(release);
    await this.postInThread(thread, stepDetailMessage(release, step, lines));
  }

  async releaseFinished(release: Release): Promise<void> {
    const thread = await this.threadOf(release);
    // The reverted release turns "rolled back" or "rollback failed" only now, before the closing post says so.
    await this.flush(release);
    if (!thread) return;
    const related = await this.relatedOf(release);
    await this.postInThread(thread, releaseFinishedMessage(release, this.deps.clock.now(), related));
  }

  async appLocked(release: Release, lock: { by: string; reason: string; at: number }): Promise<void> {
    const message = appLockedMessage(
      { app: release.app, environment: release.environment, ...lock },
      this.deps.clock.now(),
    );
    const thread = await this.threadOf(release);
    if (thread) {
      // In the thread where the rollback happened, and in the channel, where the next deployer looks.
      await this.postInThread(thread, message, { reply_broadcast: true });
      return;
    }
    const channel = this.channelFor(release);
    await this.deps.pacer.run(channel, () =>
      this.deps.client.chat.postMessage({ channel, ...message, unfurl_links: false } as unknown as PostArgs),
    );
  }

  async policyOverridden(release: Release): Promise<void> {
    const thread = await this.threadOf(release);
    if (!thread) return;
    // Its message already carries the banner; the channel hears it too, not only the thread.
    await this.postInThread(thread, overrideNotice(release), { reply_broadcast: true });
  }

  async reviewRequested(release: Release): Promise<void> {
    const thread = await this.threadOf(release);
    if (!thread) return;
    // The button opens the review modal (commands/review.ts); its answers are stored with the release.
    await this.postInThread(thread, reviewPromptMessage(release));
  }

  async queueTurnCame(release: Release, turn: QueueTurn): Promise<void> {
    const thread = await this.threadOf(release);
    if (!thread) return;
    // The message turns from "queued" to awaiting Start (or running) first, then the mention says so.
    await this.flush(release);
    await this.postInThread(thread, queueTurnMessage(release, turn));
  }

  async queuedReleaseSuperseded(release: Release, newer: { id: string; version: string }): Promise<void> {
    const thread = await this.threadOf(release);
    if (!thread) return;
    await this.postInThread(thread, supersededQuestion(release, newer));
  }

  close(): void {
    this.coalescer.close();
  }

  /**
   * Brings the release's message (and, for a rollback, the reverted release's)
   * up to date before a thread post: the thread never reads ahead of the message
   * above it (a status post at sample 12 under a message still at 10). Bounded:
   * when Slack is slow the post goes anyway, and the message catches up.
   */
  private async flush(release: Release): Promise<void> {
    const maxWaitMs = this.updateIntervalMs + FLUSH_GRACE_MS;
    const ids = [release.id, ...(release.rollbackOf ? [release.rollbackOf.releaseId] : [])];
    const channel = this.editChannelOf(release);
    await Promise.all(ids.map((id) => this.coalescer.flush(id, maxWaitMs, channel)));
  }

  /**
   * Where the release's message is edited: its posted channel, or (not posted
   * yet) the configured one; unknown for an app no longer configured, which
   * then keeps only the per-release interval rather than losing its update.
   */
  private editChannelOf(release: Release): string | undefined {
    if (release.chat) return release.chat.channel;
    try {
      return this.channelFor(release);
    } catch {
      return undefined;
    }
  }

  /** Re-renders the stored release into its message. */
  private async refresh(releaseId: string): Promise<void> {
    const release = await this.deps.store.get(releaseId);
    if (!release?.chat) return;
    const message = await this.render(release);
    await this.deps.client.chat.update({ channel: release.chat.channel, ts: release.chat.ts, ...message });
    // Another process's update may have read a newer record and landed before this
    // one: then this stale render is what Slack shows. Seen in the 200-release
    // bench as a message that never offered Start. Render again if it moved on.
    const after = await this.deps.store.get(releaseId);
    if (after && after.revision !== release.revision) this.coalescer.request(releaseId, release.chat.channel);
  }

  private async render(release: Release): Promise<{ text: string; blocks: Record<string, unknown>[] }> {
    const { config, clock, notes } = this.deps;
    if (release.rollbackOf) {
      const env = resolveTarget(config, release.app, release.environment).config;
      const message = rollbackMessage({
        release,
        approvers: env.approvers,
        now: clock.now(),
        ...(env.migration?.rollbackCommand && { rollbackCommand: env.migration.rollbackCommand.join(' ') }),
        ...(env.database && { liveDatabase: env.database.id }),
      });
      return { text: message.text, blocks: message.blocks as Record<string, unknown>[] };
    }
    const releaseNotes =
      release.state === 'awaiting_start' ? await notes.notesFor(release.app, release.version) : undefined;
    // A reverted release is stored rolled_back at approval; what it shows waits for its rollback.
    const rollback = await this.relatedOf(release);
    const queueSlot = release.state === 'queued' ? await this.deps.queueSlotOf?.(release) : undefined;
    const message = releaseMessage({
      release,
      checklist: releaseChecklist(release, config),
      ...(queueSlot ? { queueSlot } : {}),
      ...(config.slack.onCall ? { onCall: config.slack.onCall } : {}),
      ...(releaseNotes ? { releaseNotes } : {}),
      ...(rollback ? { rollback } : {}),
      now: clock.now(),
    });
    return { text: message.text, blocks: message.blocks as Record<string, unknown>[] };
  }

  /**
   * The release the renderers read beside this one: a reverted release's
   * rollback (named by rolledBackBy), the release a rollback reverts, or the
   * rollback monitoring proposed for a release, still undecided or closed.
   */
  private async relatedOf(release: Release): Promise<Release | undefined> {
    const id = release.rolledBackBy ?? release.rollbackOf?.releaseId ?? release.facts.rollbackProposal;
    return id === undefined ? undefined : await this.deps.store.get(id);
  }

  /**
   * Where the release's thread posts go. A rollback's own message is a reply
   * in the thread of the release it reverts, and a reply's ts is not a thread:
   * Slack threads hang off the parent message's ts.
   */
  private async threadOf(release: Release): Promise<ChatRef | undefined> {
    return (release.rollbackOf && (await this.parentThread(release))) || (await this.refOf(release));
  }

  /** The thread of the release a rollback reverts, following a rollback of a rollback up to its root. */
  private async parentThread(release: Release, hops = 0): Promise<ChatRef | undefined> {
    if (!release.rollbackOf) return undefined;
    const parent = await this.deps.store.get(release.rollbackOf.releaseId);
    if (!parent?.chat) return undefined;
    if (hops + 1 < MAX_THREAD_HOPS) return (await this.parentThread(parent, hops + 1)) ?? parent.chat;
    return parent.chat;
  }

  private async postInThread(
    thread: ChatRef,
    message: { text: string; blocks: unknown[] },
    options: { reply_broadcast?: boolean } = {},
  ): Promise<void> {
    await this.deps.pacer.run(thread.channel, () =>
      this.deps.client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.ts,
        ...message,
        ...options,
        unfurl_links: false,
      } as unknown as PostArgs),
    );
  }

  /** The message reference; the copy the engine holds may predate the post. */
  private async refOf(release: Release): Promise<Release['chat']> {
    return release.chat ?? (await this.deps.store.get(release.id))?.chat;
  }

  private channelFor(release: Release): string {
    const env = resolveTarget(this.deps.config, release.app, release.environment).config;
    return env.channel ?? this.deps.config.slack.channel;
  }
}
