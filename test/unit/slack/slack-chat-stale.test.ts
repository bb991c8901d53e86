import assert from 'node:assert/strict';
import type { WebClient } from '@slack/web-api';
import type { Release } from '../../../src/domain/release';
import { createLogger } from '../../../src/logging/logger';
import type { ReleaseStore } from '../../../src/ports/release-store';
import { SlackChat } from '../../../src/slack/slack-chat';
import { testConfig } from '../../support/test-config';
import { aRelease } from './blocks/fixtures';

/**
 * Two processes update one message: one renders revision 4, the other 5, and
 * Slack may apply them in either order. The one that sent a render older than
 * the stored record renders again, so the message ends on the newest.
 */
describe('SlackChat: a render that the record moved past is sent again', () => {
  it('updates again when the record changed while its update was on the way', async () => {
    let stored: Release = { ...aRelease(), revision: 4, chat: { channel: 'C1', ts: '1.000' } };
    const sent: number[] = [];
    let landed: () => void = () => undefined;
    const twoSends = new Promise<void>((resolve) => (landed = resolve));
    const client = {
      chat: {
        update: async () => {
          sent.push(stored.revision);
          // The record moves on while the first update is in flight (another process's change).
          if (sent.length === 1) stored = { ...stored, revision: 5 };
          if (sent.length === 2) landed();
          return { ok: true };
        },
      },
    } as unknown as WebClient;
    const store = { get: async () => stored } as unknown as ReleaseStore;
    const chat = new SlackChat({
      client,
      store,
      config: testConfig(),
      clock: { now: () => Date.now() },
      logger: createLogger({ level: 'silent' }),
      pacer: { run: (_channel: string, work: () => Promise<unknown>) => work() } as never,
      gate: async () => 0,
      notes: { notesFor: async () => undefined } as never,
      updateIntervalMs: 1,
    });
    await chat.releaseUpdated(stored);
    await twoSends;
    chat.close();
    assert.deepEqual(sent, [4, 5]);
  });

  it('sends once when nothing changed meanwhile', async () => {
    const stored: Release = { ...aRelease(), revision: 7, chat: { channel: 'C1', ts: '1.000' } };
    let sends = 0;
    const client = { chat: { update: async () => ((sends += 1), { ok: true }) } } as unknown as WebClient;
    // Every update asked for passes the gate once: a second ask would show here.
    let asked = 0;
    const gate = async () => ((asked += 1), 0);
    const chat = new SlackChat({
      client,
      store: { get: async () => stored } as unknown as ReleaseStore,
      config: testConfig(),
      clock: { now: () => Date.now() },
      logger: createLogger({ level: 'silent' }),
      pacer: { run: (_channel: string, work: () => Promise<unknown>) => work() } as never,
      gate,
      notes: { notesFor: async () => undefined } as never,
    });
    // flush resolves once the update that renders the record as stored now was sent.
    await (chat as unknown as { flush(r: Release): Promise<void> }).flush(stored);
    chat.close();
    assert.equal(sends, 1);
    assert.equal(asked, 1, 'no second update was asked for');
  });
});
