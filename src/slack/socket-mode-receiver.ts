import { ReceiverMultipleAckError, type AckFn, type App, type Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import type { AppsConnectionsOpenResponse } from '@slack/web-api';
import type { Logger } from '../logging/logger';
import { boltLogger } from './bolt-logger';
import { eventCallbackProblem, interactionProblem, isRecord, slashCommandProblem } from './payload-shape';
import { plainText } from './plain-text';
import { depthOf, MAX_JSON_DEPTH } from './request-shape';

export interface SocketModeTuning {
  /**
   * The Socket Mode client pings every third of this and reconnects when no pong
   * came within it; it also waits this long before reconnecting after Slack's
   * `disconnect`. The client's default is 5000.
   */
  clientPingTimeoutMs?: number;
}

/** What the Socket Mode client hands its `slack_event` listeners. */
interface SocketEnvelope {
  ack: (response?: Record<string, unknown>) => Promise<void>;
  envelope_id?: unknown;
  type?: unknown;
  body?: unknown;
  retry_num?: number;
  retry_reason?: string;
}

/**
 * Socket Mode's counterpart of guardedHttpReceiver. There is no signature or
 * timestamp to check (the WebSocket itself is authenticated by the app token),
 * but the rest of the HTTP boundary still applies:
 * - every envelope is checked against what Slack sends (payload-shape.ts)
 *   before Bolt reads it; one that fails is acknowledged (so Slack does not
 *   redeliver it), logged without its content, and goes no further;
 * - `ack` refuses a second call with ReceiverMultipleAckError, as HTTPReceiver's
 *   does (Bolt's SocketModeReceiver only logs it), so ackUnhandledRequests can
 *   tell a handled envelope from one no listener answered, and acks only those;
 * - a failure inside Bolt is logged and the envelope acknowledged if it was
 *   not yet; nothing an envelope carries can reject out of the client's event
 *   emitter (that would be an unhandled rejection).
 */
export class GuardedSocketModeReceiver implements Receiver {
  readonly client: SocketModeClient;
  private app: App | undefined;
  private readonly log: Logger;

  constructor(appToken: string, apiUrl: string | undefined, logger: Logger, tuning: SocketModeTuning) {
    this.log = logger.child({ component: 'socket-mode' });
    this.client = new SocketModeClient({
      appToken,
      logger: boltLogger(logger),
      // apps.connections.open goes where every other Web API call goes (SLACK_API_URL).
      clientOptions: apiUrl ? { slackApiUrl: apiUrl } : {},
      ...(tuning.clientPingTimeoutMs !== undefined ? { clientPingTimeout: tuning.clientPingTimeoutMs } : {}),
    });
    this.client.on('slack_event', (envelope: SocketEnvelope) => void this.receive(envelope));
  }

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<AppsConnectionsOpenResponse> {
    return this.client.start() as Promise<AppsConnectionsOpenResponse>;
  }

  /** Resolves once the socket is closed (Bolt's own receiver resolves before). */
  async stop(): Promise<void> {
    await this.client.disconnect();
  }

  private async receive(envelope: SocketEnvelope): Promise<void> {
    const ack = ackOnce(envelope.ack, this.log);
    const type = typeof envelope.type === 'string' ? plainText(envelope.type).slice(0, 64) : 'unknown';
    try {
      const problem = envelopeProblem(type, envelope.body);
      if (problem || !this.app) {
        this.log.warn({ reason: problem ?? 'app not ready', type }, 'slack envelope refused');
        return await ack();
      }
      await this.app.processEvent({
        body: envelope.body as Record<string, unknown>,
        ack,
        ...(envelope.retry_num !== undefined ? { retryNum: envelope.retry_num } : {}),
        ...(envelope.retry_reason !== undefined ? { retryReason: envelope.retry_reason } : {}),
      });
    } catch (error) {
      this.log.error({ err: error, type }, 'slack envelope failed');
      // Not yet acknowledged: ack now; already: the second call throws, which is fine here.
      await ack().catch(() => undefined);
    }
  }
}

/**
 * An ack that sends once and throws ReceiverMultipleAckError after, as
 * HTTPReceiver's does. A send that fails (the socket closed meanwhile) is
 * logged, not thrown: the listener goes on, and if Slack redelivers the
 * envelope on the next connection, the listeners' deduplication (trigger_id,
 * the replay guard's action_ts) keeps it to one effect.
 */
function ackOnce(send: SocketEnvelope['ack'], log: Logger): AckFn<unknown> {
  let acked = false;
  return async (response?: unknown) => {
    if (acked) throw new ReceiverMultipleAckError();
    acked = true;
    const payload = isRecord(response)
      ? response
      : typeof response === 'string'
        ? { text: response }
        : undefined;
    await send(payload).catch((error: unknown) =>
      log.warn({ code: (error as { code?: unknown }).code }, 'slack envelope ack not sent'),
    );
  };
}

/** What is wrong with an envelope's payload for its type, in our words; undefined when Slack could have sent it. */
function envelopeProblem(type: string, payload: unknown): string | undefined {
  if (!isRecord(payload)) return 'payload is not an object';
  if (depthOf(payload) > MAX_JSON_DEPTH) return 'payload is nested too deeply';
  switch (type) {
    case 'slash_commands':
      return slashCommandProblem(payload);
    case 'interactive':
      return interactionProblem(payload);
    case 'events_api':
      return payload.type === 'event_callback'
        ? eventCallbackProblem(payload)
        : 'event payload type is unknown';
    default:
      return 'envelope type is unknown';
  }
}
