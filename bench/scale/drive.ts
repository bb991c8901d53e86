/**
 * One person releasing one app, over real HTTP as in Slack: a signed
 * `/deploy <version> <app> production --type hotfix`, then — once the release
 * message shows in the channel — the required manual items ticked and Start
 * pressed. Waits on what the channel and the store show, never on the clock.
 */
import { findStep, type Release } from '../../src/domain/release';
import type { RedisReleaseStore } from '../../src/redis/release-store';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';
import { elements, textOf, type ChaosSlack } from '../../test/support/chaos-slack';
import { waitUntil } from '../../test/support/chaos-wait';
import { REQUESTER } from './config';

const REQUIRED_MANUAL_ITEMS = ['unit-tests', 'code-reviewed'];
/** After the tick, Start shows with the message's next edit: seconds, even when edits queue. */
const START_SHOWS_WITHIN_MS = 180_000;
/** A Start that did not take (the click was answered, the release still waits) is clicked again after this. */
const CLICK_AGAIN_AFTER_MS = 30_000;

/** What is left until `deadlineAt` (at least 1 ms, so a wait past it still probes once). */
export const leftUntil = (deadlineAt: number, atMost = Infinity): number =>
  Math.max(1, Math.min(atMost, deadlineAt - Date.now()));

export interface Driven {
  app: string;
  release: Release;
  /** When the /deploy was sent, and when Start was answered (ms). */
  requestedAt: number;
  startedAt: number;
}

/** The app's release message: the top-level message naming the app, not a rollback's. */
export function releaseMessage(chat: ChaosSlack, app: string, channel: string): FakeMessage | undefined {
  return chat.slack
    .messages(channel)
    .find((m) => textOf(m).includes(app) && !/Rollback/.test(m.text) && elements(m).length > 0);
}

export async function releaseApp(
  chat: ChaosSlack,
  store: RedisReleaseStore,
  app: string,
  /** The id of the channel the app's releases are announced in. */
  channel: string,
  version: string,
  /** When the whole run must have ended (ms): every wait here gets what is left of it. */
  deadlineAt: number,
): Promise<Driven> {
  const requestedAt = Date.now();
  const sent = await chat.command(REQUESTER, `${version} ${app} production --type hotfix`);
  if (sent.status !== 200) throw new Error(`/deploy for ${app} answered ${sent.status}: ${sent.answer}`);
  await waitUntil(
    `${app} requested and preflighted`,
    async () => {
      const [found] = await store.history(app, { environment: 'production', limit: 1 });
      if (found && findStep(found, 'preflight').state === 'failed')
        throw new Error(`${app}: preflight failed`);
      return found && findStep(found, 'preflight').state === 'succeeded' ? found : undefined;
    },
    { timeoutMs: leftUntil(deadlineAt), everyMs: 1_000 },
  );
  const message = await waitUntil(`${app}'s release message`, () => releaseMessage(chat, app, channel), {
    timeoutMs: leftUntil(deadlineAt),
    everyMs: 1_000,
  });
  const ticked = await chat.select(
    REQUESTER,
    message,
    REQUIRED_MANUAL_ITEMS[0] as string,
    REQUIRED_MANUAL_ITEMS,
  );
  if (ticked.status !== 200) throw new Error(`${app}: the tick answered ${ticked.status}: ${ticked.answer}`);
  // The tick is acked before it is stored; a Start clicked in between is refused ("tick … first").
  await waitUntil(
    `${app}'s ticks stored`,
    async () => {
      const [found] = await store.history(app, { environment: 'production', limit: 1 });
      return found && REQUIRED_MANUAL_ITEMS.every((item) => found.checklist[item]) ? found : undefined;
    },
    { timeoutMs: leftUntil(deadlineAt), everyMs: 500 },
  );
  const withStart = await waitUntil(
    `Start on ${app}'s message`,
    () => {
      const m = releaseMessage(chat, app, channel);
      return m && elements(m).some((e) => e.element.action_id === 'release_start') ? m : undefined;
    },
    {
      timeoutMs: leftUntil(deadlineAt, START_SHOWS_WITHIN_MS),
      everyMs: 1_000,
      // What a person would see: the message's buttons, its edits, and what the tick was answered.
      context: () => {
        const m = releaseMessage(chat, app, channel);
        const edits = chat.slack.callsTo('chat.update').filter((c) => c.body.ts === m?.ts);
        return (
          `message ${m?.ts} actions [${m ? elements(m).map((e) => String(e.element.action_id)) : ''}], ` +
          `${edits.length} chat.update to it (last at ${edits.at(-1)?.at}), tick answered ${ticked.status} ` +
          `${ticked.answer.slice(0, 200)}, response_url posts ${JSON.stringify(chat.responsesTo(ticked.responseUrl)).slice(0, 300)}`
        );
      },
    },
  );
  // As a person would: click Start, and click again if the release still waits a while later.
  for (;;) {
    const pressed = await chat.click(REQUESTER, withStart, 'release_start');
    if (pressed.status !== 200)
      throw new Error(`${app}: Start answered ${pressed.status}: ${pressed.answer}`);
    const release = await waitUntil(
      `${app} to run`,
      async () => {
        const [found] = await store.history(app, { environment: 'production', limit: 1 });
        return found && found.state !== 'awaiting_start' ? found : undefined;
      },
      { timeoutMs: leftUntil(deadlineAt, CLICK_AGAIN_AFTER_MS), everyMs: 1_000 },
    ).catch((error: unknown) => {
      if (Date.now() >= deadlineAt) throw error;
      return undefined;
    });
    if (release) return { app, release, requestedAt, startedAt: pressed.answeredAt };
  }
}

/** Waits until the release has ended, whichever way. */
export async function releaseEnd(store: RedisReleaseStore, id: string, deadlineAt: number): Promise<Release> {
  return waitUntil(
    `release ${id} to end`,
    async () => {
      const release = await store.get(id);
      return release && release.state !== 'running' && release.state !== 'awaiting_start'
        ? release
        : undefined;
    },
    { timeoutMs: leftUntil(deadlineAt), everyMs: 2_000 },
  );
}
