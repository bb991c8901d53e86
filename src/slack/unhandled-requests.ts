import { ErrorCode, type AnyMiddlewareArgs, type App, type Middleware } from '@slack/bolt';
import type { Logger } from '../logging/logger';
import { plainText } from './plain-text';

/**
 * Acknowledges whatever no listener acknowledged: an unknown action id, a view
 * submission, a shortcut, an options load, a command we do not serve. Without
 * it Bolt waits for its 3-second timer and answers 404, and Slack shows the
 * person an error. Register it first (`app.use` before anything else): it runs
 * the rest of the chain — every listener — and acks only if none did.
 *
 * Bolt runs every matching listener and resolves `next()` once all have
 * finished, so "not acknowledged yet" is final at that point. Bolt does not
 * say whether a request was acknowledged; its HTTP ack throws
 * ReceiverMultipleAckError when called a second time (our Socket Mode receiver
 * in app.ts does the same), which is how a handled request is told apart here. Events
 * API requests are acknowledged by Bolt before any middleware and carry no ack.
 */
export function ackUnhandledRequests(logger: Logger): Middleware<AnyMiddlewareArgs> {
  const log = logger.child({ component: 'unhandled-requests' });
  return async (args) => {
    const ack = (args as { ack?: () => Promise<void> }).ack;
    // Whatever the chain did, even fail, the request still gets its answer.
    const outcome = await args.next().then(
      () => ({ failed: false as const }),
      (error: unknown) => ({ failed: true as const, error }),
    );
    if (typeof ack === 'function' && (await ackedHere(ack))) {
      log.info(describe(args.body), 'slack request had no listener; acknowledged');
    }
    if (outcome.failed) throw outcome.error;
  };
}

/** Acks unless a listener already did (then Bolt's HTTP ack refuses a second one). */
async function ackedHere(ack: () => Promise<void>): Promise<boolean> {
  try {
    await ack();
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === ErrorCode.ReceiverMultipleAckError) return false;
    throw error;
  }
}

export function registerUnhandledRequests(app: App, logger: Logger): void {
  app.use(ackUnhandledRequests(logger));
}

/** What arrived, for the log line: its kind and the id it named, clipped and cleaned. */
function describe(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  const action = Array.isArray(b.actions) ? (b.actions[0] as Record<string, unknown> | undefined) : undefined;
  const kind =
    typeof b.command === 'string' ? 'slash_command' : typeof b.type === 'string' ? b.type : 'unknown';
  const id =
    (typeof b.command === 'string' && b.command) ||
    (typeof action?.action_id === 'string' && action.action_id) ||
    (typeof b.callback_id === 'string' && b.callback_id) ||
    (typeof (b.view as Record<string, unknown> | undefined)?.callback_id === 'string' &&
      String((b.view as Record<string, unknown>).callback_id)) ||
    '';
  return { kind: clip(kind), ...(id ? { id: clip(id) } : {}) };
}

function clip(text: string): string {
  const clean = plainText(text);
  return clean.length > 64 ? `${clean.slice(0, 64)}…` : clean;
}
