/**
 * Posts to one channel at most once per `spacingMs` (Slack allows about one
 * message a second per channel). Calls wait their turn instead of being
 * dropped; different channels do not wait for each other.
 */
export class ChannelPacer {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly lastAt = new Map<string, number>();

  constructor(
    private readonly spacingMs = 1100,
    private readonly now: () => number = () => Date.now(),
  ) {}

  run<T>(channel: string, post: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(channel) ?? Promise.resolve();
    const result = previous.then(async () => {
      const wait = (this.lastAt.get(channel) ?? -Infinity) + this.spacingMs - this.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      this.lastAt.set(channel, this.now());
      return post();
    });
    this.tails.set(
      channel,
      result.then(
        () => undefined,
        () => undefined,
      ),
    );
    return result;
  }
}
