import assert from 'node:assert/strict';
import { SlackHarness } from '../support/slack-harness';

const textOf = (value: unknown): string => JSON.stringify(value);

describe('/deploy stats in Slack over real HTTP', function () {
  this.timeout(30_000);
  let h: SlackHarness;

  beforeEach(async () => {
    h = new SlackHarness();
    await h.start();
  });
  afterEach(async () => {
    await h.stop();
  });

  it("answers in the channel with the team's figures from its own history, each with its band", async () => {
    const done = await h.engine.waitForEnd((await h.engine.release('v1.2.0', 'staging')).id);
    assert.equal(done.state, 'succeeded', JSON.stringify(done.failure));
    const failed = await h.engine.waitForEnd((await h.engine.release('v9.9.9', 'staging')).id);
    assert.equal(failed.state, 'failed', 'an image never pushed fails preflight, before any deploy');

    const before = h.channelMessages().length;
    const answer = await h.command('U0OUTSIDER', 'stats backend staging 7d');
    assert.equal(answer.status, 200);
    const reply = await h.slack.waitFor(() =>
      h
        .channelMessages()
        .slice(before)
        .find((m) => textOf(m.blocks).includes('Delivery figures')),
    );
    const text = textOf(reply.blocks);
    assert.match(reply.text ?? '', /Delivery figures for backend in staging, last 7 days: 1 deployment$/);
    // The failed preflight never reached deploy: it is no deployment and no failure.
    assert.match(text, /0(\.0)?% change failure|change failure rate[^"]*0(\.0)?%/i);
    assert.match(text, /Elite|High|Medium|Low/);
  });
});
