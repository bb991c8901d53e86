import type { WebClient } from '@slack/web-api';
import type { Config } from '../config/schema';
import { resolveTarget } from '../config/target';
import type { Release, StepName } from '../domain/release';
import { releaseChecklist } from '../engine/release-checklist';
import { updateRelease } from '../engine/update-release';
import type { Logger } from '../logging/logger';
import type { Clock } from '../ports/clock';
import type { ReleaseChat } from '../ports/release-chat';
import type { ReleaseStore } from '../ports/release-store';
import { releaseFinishedMessage, releaseMessage, rollbackMessage, stepDetailMessage } from './blocks';
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
}

/**
 * The release in Slack: one parent message kept up to date in place, and
 * details in its thread. Posts go through a per-channel pacer; edits through a
 * coalescer, so a busy release cannot exceed Slack's rates.
 */
export class SlackChat implements ReleaseChat {
  private readonly coalescer: UpdateCoalescer;

  constructor(private readonly deps: SlackChatDeps) {
    this.coalescer = new UpdateCoalescer(
      (id) => this.refresh(id),
      deps.gate,
      deps.updateIntervalMs ?? 2000,
      (error) => deps.logger.warn({ err: error }, 'slack update failed'),
    );
  }

  async releaseCreated(release: Release): Promise<void> {
    // A rollback proposal goes into the thread of the release it reverts, and to the channel.
    const parent = release.rollbackOf
      ? (await this.deps.store.get(release.rollbackOf.releaseId))?.chat
      : undefined;
    const channel = parent?.channel ?? this.channelFor(release);
    const message = await this.render(release);
    const post = parent
      ? { channel, ...message, thread_ts: parent.ts, reply_broadcast: true, unfurl_links: false }
      : { channel, ...message, unfurl_links: false, unfurl_media: false };
    const answer = await this.deps.pacer.run(channel, () =>
      this.deps.client.chat.postMessage(post as unknown as Parameters<WebClient['chat']['postMessage']>[0]),
    );
    if (!answer.channel || !answer.ts) throw new Error('chat.postMessage answered without channel and ts');
    const ref = { channel: answer.channel, ts: answer.ts };
    await updateRelease(this.deps.store, release.id, (r) => (r.chat ? undefined : { ...r, chat: ref }));
  }

  async releaseUpdated(release: Release): Promise<void> {
    this.coalescer.request(release.id);
  }

  async stepDetail(release: Release, step: StepName, lines: string[]): Promise<void> {
    const ref = await this.refOf(release);
    if (!ref) return;
    const message = stepDetailMessage(release, step, lines);
    await this.deps.pacer.run(ref.channel, () =>
      this.deps.client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        ...message,
        unfurl_links: false,
      }),
    );
  }

  async releaseFinished(release: Release): Promise<void> {
    this.coalescer.request(release.id);
    const ref = await this.refOf(release);
    if (!ref) return;
    const message = releaseFinishedMessage(release, this.deps.clock.now());
    await this.deps.pacer.run(ref.channel, () =>
      this.deps.client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        ...message,
        unfurl_links: false,
      }),
    );
  }

  close(): void {
    this.coalescer.close();
  }

  /** Re-renders the stored release into its message. */
  private async refresh(releaseId: string): Promise<void> {
    const release = await this.deps.store.get(releaseId);
    if (!release?.chat) return;
    const message = await this.render(release);
    await this.deps.client.chat.update({ channel: release.chat.channel, ts: release.chat.ts, ...message });
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
    const message = releaseMessage({
      release,
      checklist: releaseChecklist(release, config),
      ...(config.slack.onCall ? { onCall: config.slack.onCall } : {}),
      ...(releaseNotes ? { releaseNotes } : {}),
      now: clock.now(),
    });
    return { text: message.text, blocks: message.blocks as Record<string, unknown>[] };
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
