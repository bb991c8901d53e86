import { AfterAckLane } from './after-ack-lane';

/**
 * After-ack lanes, one per Slack channel the work posts into. A release's
 * follow-up waits for its channel's next posting slot (about one post a
 * second per channel, src/slack/channel-pacer.ts); in one shared lane four
 * commands for one busy channel held up the commands for every other channel
 * behind them. Each channel gets its own `limit`, so a burst spread over
 * channels is created at the rate of all of them, and the acks still go first.
 */
export class ChannelLanes {
  private readonly lanes = new Map<string, AfterAckLane>();

  constructor(
    private readonly limit: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  run(channel: string, work: () => Promise<void>): void {
    let lane = this.lanes.get(channel);
    if (!lane) {
      lane = new AfterAckLane(this.limit, this.onError);
      this.lanes.set(channel, lane);
    }
    lane.run(work);
  }
}
