import assert from 'node:assert/strict';
import { refreshingHome } from '../../../../src/slack/home/home-refreshing-chat';
import { RecordingChat } from '../../../fakes/recording-chat';
import { aRelease } from '../blocks/fixtures';

describe('refreshingHome', () => {
  it('tells the Home tab after each release change the chat hears of, and passes everything through', async () => {
    const recorded = new RecordingChat();
    let changes = 0;
    const chat = refreshingHome(recorded, { changed: () => (changes += 1) });
    const release = aRelease();
    await chat.releaseCreated(release);
    await chat.releaseUpdated(release);
    await chat.stepDetail(release, 'deploy', ['rolled out']);
    await chat.releaseFinished(release);
    await chat.appLocked(release, { by: 'deploybot', reason: 'rolled back', at: 1 });
    assert.equal(changes, 4);
    assert.equal(recorded.events.length, 5);
  });

  it('tells it even when chat fails: the release changed all the same', async () => {
    const failing = new RecordingChat();
    failing.releaseUpdated = () => Promise.reject(new Error('slack is down'));
    let changes = 0;
    const chat = refreshingHome(failing, { changed: () => (changes += 1) });
    await assert.rejects(chat.releaseUpdated(aRelease()), /slack is down/);
    assert.equal(changes, 1);
  });
});
