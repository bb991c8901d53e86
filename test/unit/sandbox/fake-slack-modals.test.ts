import assert from 'node:assert/strict';
import { LogLevel, WebClient, type Logger, type WebAPIPlatformError } from '@slack/web-api';
import type { Release } from '../../../src/domain/release';
import { FakeSlackApi } from '../../../src/sandbox/fake-slack-api';
import { FakeModals, TRIGGER_LIFETIME_MS } from '../../../src/sandbox/fake-slack/modals';
import { reviewModal } from '../../../src/slack/blocks/review-modal';

const TOKEN = 'xoxb-' + 'test-token';

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

const RELEASE: Release = {
  id: 'r20261127t171340-3f9a',
  app: 'backend',
  environment: 'production',
  version: 'v1.2.0',
  type: 'minor',
  requestedBy: 'U0DEPLOYER',
  state: 'succeeded',
  createdAt: 0,
  updatedAt: 0,
  revision: 4,
  steps: [],
  facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
  checklist: {},
};

async function slackError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as WebAPIPlatformError).data?.error);
  }
  assert.fail('expected views.open to fail');
}

describe('fake Slack: views.open', () => {
  const api = new FakeSlackApi();
  let client: WebClient;

  before(async () => {
    await api.start();
    client = new WebClient(TOKEN, { slackApiUrl: api.apiUrl, logger: silent, retryConfig: { retries: 0 } });
  });
  beforeEach(() => api.reset());
  after(() => api.stop());

  it('opens the modal for the user whose interaction the trigger came from', async () => {
    const trigger = api.newTriggerId('U0REQUESTER');
    const answer = await client.views.open({ trigger_id: trigger, view: reviewModal(RELEASE) });
    const modal = api.modal('U0REQUESTER');
    assert.ok(modal);
    assert.equal(answer.view?.id, modal.id);
    assert.match(modal.id, /^V0[0-9A-F]+$/);
    assert.equal(answer.view?.private_metadata, RELEASE.id);
    assert.equal(answer.view?.callback_id, 'release_review');
    assert.deepEqual(modal.view, JSON.parse(JSON.stringify(reviewModal(RELEASE))));
    assert.equal(api.modal('U0APPROVER'), undefined);
    assert.equal(api.callsTo('views.open')[0]?.body.trigger_id, trigger);
  });

  it('refuses a trigger it never issued, and one used already', async () => {
    assert.equal(
      await slackError(client.views.open({ trigger_id: '1.2.abc', view: reviewModal(RELEASE) })),
      'invalid_trigger_id',
    );
    const trigger = api.newTriggerId('U0REQUESTER');
    await client.views.open({ trigger_id: trigger, view: reviewModal(RELEASE) });
    assert.equal(
      await slackError(client.views.open({ trigger_id: trigger, view: reviewModal(RELEASE) })),
      'exchanged_trigger_id',
    );
  });

  it('refuses a view Slack would refuse, and opens nothing', async () => {
    const view = {
      ...reviewModal(RELEASE),
      title: { type: 'plain_text' as const, text: 'A post-deployment review!' },
    };
    const trigger = api.newTriggerId('U0REQUESTER');
    assert.equal(await slackError(client.views.open({ trigger_id: trigger, view })), 'invalid_arguments');
    assert.equal(api.modal('U0REQUESTER'), undefined);
  });

  it('replaces a modal by opening another, and forgets it once closed', async () => {
    await client.views.open({ trigger_id: api.newTriggerId('U0REQUESTER'), view: reviewModal(RELEASE) });
    const first = api.modal('U0REQUESTER');
    await client.views.open({ trigger_id: api.newTriggerId('U0REQUESTER'), view: reviewModal(RELEASE) });
    const second = api.modal('U0REQUESTER');
    assert.ok(first && second && first.id !== second.id);
    assert.equal(api.modalById(first.id), undefined);
    api.closeModal(second.id);
    assert.equal(api.modal('U0REQUESTER'), undefined);
  });
});

describe('fake Slack: trigger ids', () => {
  it('open a modal within 3 seconds of the interaction and not after', () => {
    const modals = new FakeModals();
    const late = modals.issueTrigger('U0REQUESTER', 1_000);
    const view = reviewModal(RELEASE);
    assert.equal(TRIGGER_LIFETIME_MS, 3000);
    assert.deepEqual(modals.viewsOpen({ trigger_id: late, view }, 1_000 + 3001), {
      ok: false,
      error: 'expired_trigger_id',
    });
    const inTime = modals.issueTrigger('U0REQUESTER', 1_000);
    assert.equal(modals.viewsOpen({ trigger_id: inTime, view }, 1_000 + 3000).ok, true);
  });
});
