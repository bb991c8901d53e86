/**
 * Reserves the next post slot of a channel, shared by every process (Redis:
 * redisPostSlots), and answers how long to wait for it.
 */
export type PostSlots = (channelId: string, spacingMs: number) => Promise<number>;

/**
 * A channel's id for a name the bot posts to: the bot posts a release's
 * message to the configured name (`engineering`) and its thread to the id
 * Slack answered (`C0ENGINEER`), and Slack's limits are on the channel.
 */
export interface ChannelIds {
  /** The id learned for `channel`, or `channel` itself (an id, or a name never answered). */
  idOf(channel: string): Promise<string>;
  learn(channel: string, id: string): Promise<void>;
}

/** Names learned by this process only, for a single process or tests without Redis. */
export function memoryChannelIds(): ChannelIds {
  const known = new Map<string, string>();
  return {
    idOf: async (channel) => known.get(channel) ?? channel,
    learn: async (channel, id) => void known.set(channel, id),
  };
}

export interface SharedPacing {
  slots: PostSlots;
  channelIds?: ChannelIds;
}

/**
 * Posts to one channel at most once per `spacingMs` (Slack allows about one
 * message a second per channel). Calls wait their turn instead of being
 * dropped; different channels do not wait for each other. In one process,
 * a post starts only after the previous one to its channel has finished.
 * With `shared`, the spacing holds across processes: each post reserves its
 * slot through Redis. When Redis cannot answer, this process's own spacing
 * applies — a post is worth more than the pace.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastAt = new Map<string, number>();
  /** Names this process has seen answered with an id: both share one lane. */
  private readonly lanes = new Map<string, string>();

  constructor(
    private readonly spacingMs = 1100,
    private readonly now: () => number = () => Date.now(),
    private readonly shared?: SharedPacing,
  ) {}

  run<T>(channel: string, post: () => Promise<T>): Promise<T> {
    const lane = this.lanes.get(channel) ?? channel;
    const previous = this.tails.get(lane) ?? Promise.resolve();
    const result = previous.then(async () => {
      const slotOf = await this.waitForSlot(channel, lane);
      const answer = await post();
      await this.learnFrom(channel, lane, slotOf, answer);
      return answer;
    });
    this.tails.set(
      lane,
      result.then(
        () => undefined,
        () => undefined,
      ),
    );
    return result;
  }

  /** Waits for the post's slot; answers the key the shared slot was taken under, if one was. */
  private async waitForSlot(channel: string, lane: string): Promise<string | undefined> {
    let wait: number | undefined;
    let slotOf: string | undefined;
    if (this.shared) {
      try {
        const id = this.shared.channelIds ? await this.shared.channelIds.idOf(channel) : lane;
        wait = await this.shared.slots(id, this.spacingMs);
        slotOf = id;
      } catch {
        wait = undefined;
      }
    }
    wait ??= (this.lastAt.get(lane) ?? -Infinity) + this.spacingMs - this.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.lastAt.set(lane, this.now());
    return slotOf;
  }

  /**
   * chat.postMessage answers the channel's id: remember it for the name posted
   * to. The post just made was paced under the name, so the id's pace must
   * count it too, or the next post by id could follow it at once.
   */
  private async learnFrom(
    channel: string,
    lane: string,
    slotOf: string | undefined,
    answer: unknown,
  ): Promise<void> {
    const id = (answer as { channel?: unknown } | undefined)?.channel;
    if (typeof id !== 'string' || id === lane) return;
    this.lanes.set(channel, id);
    this.lastAt.set(id, Math.max(this.lastAt.get(id) ?? -Infinity, this.lastAt.get(lane) ?? -Infinity));
    if (!this.shared) return;
    try {
      await this.shared.channelIds?.learn(channel, id);
      if (slotOf !== undefined && slotOf !== id) await this.shared.slots(id, this.spacingMs);
    } catch {
      // Learning again on a later answer is as good.
    }
  }
}
