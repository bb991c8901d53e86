/**
 * One person releasing one app, over real HTTP as in Slack: a signed
 * `/deploy <version> <app> production --type hotfix`, then — once the release
 * message shows in the channel — the required manual items ticked and Start
 * pressed. Waits on what the channel and the store show, never on the clock.
 */
import { findStep, type Release } from '../../src/domain/release';
import type { RedisReleaseStore } from '../../src/redis/release-store';
import type { FakeMessage } from '../../src/sandbox/fake-slack/types';
import { CHANNEL, elements, textOf, type ChaosSlack } from '../../test/support/chaos-slack';
import { waitUntil } from '../../test/support/chaos-wait';
import { REQUESTER } from './config';

const REQUIRED_MANUAL_ITEMS = ['unit-tests', 'code-reviewed'];
/** After the tick, Start shows with the message's next edit: seconds, even when edits queue. */
const START_SHOWS_WITHIN_MS = 180_000;

export interface Driven {
  app: string;
  release: Release;
  /** When the /deploy was sent, and when Start was answered (ms). */
  requestedAt: number;
  startedAt: number;
}

/** The app's release message: the top-level message naming the app, not a rollback's. */
export function releaseMessage(chat: ChaosSlack, app: string): FakeMessage | undefined {
  return chat.slack
    .messages(CHANNEL)
    .find((m) => textOf(m).includes(app) && !/Rollback/.test(m.text) && elements(m).length > 0);
}

export async function releaseApp(
  chat: ChaosSlack,
  store: RedisReleaseStore,
  app: string,
  version: string,
  timeoutMs: number,
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
    { timeoutMs, everyMs: 1_000 },
  );
  const message = await waitUntil(`${app}'s release message`, () => releaseMessage(chat, app), {
    timeoutMs,
    everyMs: 1_000,
  });
  const ticked = await chat.select(
    REQUESTER,
    message,
    REQUIRED_MANUAL_ITEMS[0] as string,
    REQUIRED_MANUAL_ITEMS,
  );
  if (ticked.status !== 200) throw new Error(`${app}: the tick answered ${ticked.status}: ${ticked.answer}`);
  const withStart = await waitUntil(
    `Start on ${app}'s message`,
    () => {
      const m = releaseMessage(chat, app);
      return m && elements(m).some((e) => e.element.action_id === 'release_start') ? m : undefined;
    },
    {
      timeoutMs: START_SHOWS_WITHIN_MS,
      everyMs: 1_000,
      // What a person would see: the message's buttons, its edits, and what the tick was answered.
      context: () => {
        const m = releaseMessage(chat, app);
        const edits = chat.slack.callsTo('chat.update').filter((c) => c.body.ts === m?.ts);
        return (
          `message ${m?.ts} actions [${m ? elements(m).map((e) => String(e.element.action_id)) : ''}], ` +
          `${edits.length} chat.update to it (last at ${edits.at(-1)?.at}), tick answered ${ticked.status} ` +
          `${ticked.answer.slice(0, 200)}, response_url posts ${JSON.stringify(chat.responsesTo(ticked.responseUrl)).slice(0, 300)}`
        );
      },
    },
  );
  const pressed = await chat.click(REQUESTER, withStart, 'release_start');
  if (pressed.status !== 200) throw new Error(`${app}: Start answered ${pressed.status}: ${pressed.answer}`);
  const release = await waitUntil(
    `${app} to run`,
    async () => {
      const [found] = await store.history(app, { environment: 'production', limit: 1 });
      return found && found.state !== 'awaiting_start' ? found : undefined;
    },
    { timeoutMs, everyMs: 1_000 },
  );
  return { app, release, requestedAt, startedAt: pressed.answeredAt };
}

/** Waits until the release has ended, whichever way. */
export async function releaseEnd(store: RedisReleaseStore, id: string, timeoutMs: number): Promise<Release> {
  return waitUntil(
    `release ${id} to end`,
    async () => {
      const release = await store.get(id);
      return release && release.state !== 'running' && release.state !== 'awaiting_start'
        ? release
        : undefined;
    },
    { timeoutMs, everyMs: 2_000 },
  );
}
