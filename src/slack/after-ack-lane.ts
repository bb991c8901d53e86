/**
 * The work a command does after its ack, at most `limit` at once, in arrival
 * order. Slack gives an ack 3 seconds and a response_url reply 30 minutes: in a
 * burst of commands the acks go first, and the follow-ups run a few at a time
 * instead of all contending with the acks for the one event loop.
 */
export class AfterAckLane {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;

  constructor(
    private readonly limit: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  run(work: () => Promise<void>): void {
    this.waiting.push(work);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const work = this.waiting.shift() as () => Promise<void>;
      this.running += 1;
      // setImmediate: the ack's answer is written before any follow-up starts.
      setImmediate(() => {
        work()
          .catch(this.onError)
          .finally(() => {
            this.running -= 1;
            this.pump();
          });
      });
    }
  }
}
