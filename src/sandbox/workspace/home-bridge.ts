import type { FakeSlackApi } from '../fake-slack-api';
import { appHomeOpenedBody } from '../fake-slack/events-api';
import { postToBolt } from '../slack-payloads';
import type { Outcome } from './bridge';

export interface HomeBridgeOptions {
  slack: FakeSlackApi;
  botEventsUrl: string;
  signingSecret: string;
  /** Slack gives up on an event after 3 seconds (and retries it). */
  ackTimeoutMs: number;
}

/**
 * The page's Home tab: opening it is Slack's `app_home_opened` event, signed
 * and POSTed to the bot as the Events API does; what the page then shows is
 * whatever the bot published for that user with views.publish.
 */
export class HomeBridge {
  constructor(private readonly options: HomeBridgeOptions) {}

  async open(user: string): Promise<Outcome> {
    const { slack, botEventsUrl, signingSecret, ackTimeoutMs } = this.options;
    const last = slack.homeView(user)?.view;
    try {
      const answer = await postToBolt(
        botEventsUrl,
        signingSecret,
        appHomeOpenedBody(user, last ? { view: last } : {}),
        { timeoutMs: ackTimeoutMs },
      );
      return { status: 200, body: { ok: answer.status === 200, status: answer.status } };
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      return {
        status: timedOut ? 504 : 502,
        body: {
          ok: false,
          error: timedOut ? 'operation_timeout' : 'bot_unreachable',
          message: timedOut
            ? `The bot did not answer within ${ackTimeoutMs} ms.`
            : `Could not reach the bot at ${botEventsUrl}.`,
        },
      };
    }
  }

  /** The view last published for `user`, or null before the bot published any. */
  view(user: string): { view: Record<string, unknown> | null; at: number | null } {
    const published = this.options.slack.homeView(user);
    return { view: published?.view ?? null, at: published?.at ?? null };
  }
}
