import assert from 'node:assert/strict';
import type { QueueListing } from '../../../../src/domain/deploy-queue';
import { blockKitProblems } from '../../../../src/slack/blocks/limits';
import {
  CANCEL_QUEUED_ACTION,
  QUEUE_IT_ACTION,
  RUN_ANYWAY_ACTION,
  queueItButton,
  queueReply,
  queueTurnMessage,
  supersededQuestion,
} from '../../../../src/slack/blocks/queue-blocks';
import { CANCEL_ACTION, START_ACTION, releaseMessage } from '../../../../src/slack/blocks/release-message';
import { parseQueueItValue } from '../../../../src/slack/queue-it-request';
import { testConfig } from '../../../support/test-config';
import { T0, aRelease, allText, assertWithinLimits, elements, statuses } from './fixtures';

const MIN = 60_000;
const queued = aRelease({
  state: 'queued',
  queue: { queuedAt: T0, queuedBy: 'U0DEPLOYER', why: 'backend/production is busy with r… (v1.1.0)' },
});

describe('queue blocks', () => {
  it('"Queue it" carries the refused request, and it reads back as the same request', () => {
    const request = {
      version: 'v1.2.0',
      app: 'backend',
      environment: 'production',
      type: 'minor' as const,
      why: 'busy',
    };
    const block = queueItButton(request);
    assert.deepEqual(blockKitProblems([block]), []);
    const [button] = block.elements;
    assert.equal(button?.type === 'button' && button.action_id, QUEUE_IT_ACTION);
    const value = button?.type === 'button' ? button.value : undefined;
    assert.deepEqual(parseQueueItValue(value, testConfig()), request);
  });

  const forged: [string, unknown, RegExp][] = [
    ['not JSON', 'queue it', /carries no request/],
    [
      'an unknown app',
      JSON.stringify({
        version: 'v1.2.0',
        app: 'frontend',
        environment: 'production',
        type: 'minor',
        why: 'x',
      }),
      /unknown app "frontend"/,
    ],
    [
      'an unknown environment',
      JSON.stringify({ version: 'v1.2.0', app: 'backend', environment: 'qa', type: 'minor', why: 'x' }),
      /qa/,
    ],
    [
      'a version that is not one',
      JSON.stringify({ version: '1.2; rm', app: 'backend', environment: 'staging', type: 'minor', why: 'x' }),
      /not a release version/,
    ],
    [
      'an unknown type',
      JSON.stringify({ version: 'v1.2.0', app: 'backend', environment: 'staging', type: 'huge', why: 'x' }),
      /no release type/,
    ],
    ['no value at all', undefined, /carries no request/],
  ];
  for (const [what, value, message] of forged) {
    it(`refuses a Queue it value with ${what}`, () => {
      assert.throws(() => parseQueueItValue(value, testConfig()), message);
    });
  }

  it('lists queues with their places, scheduled releases last', () => {
    const listing: QueueListing = {
      scope: { app: 'backend', environment: 'production' },
      holder: { id: 'r0', version: 'v1.1.0' },
      slots: [
        {
          entry: {
            id: 'r1',
            app: 'backend',
            environment: 'production',
            version: 'v1.2.0',
            requestedBy: 'U0ONE',
            queuedAt: T0,
          },
          position: 1,
          ahead: { id: 'r0', version: 'v1.1.0' },
        },
        {
          entry: {
            id: 'r2',
            app: 'backend',
            environment: 'production',
            version: 'v1.3.0',
            requestedBy: 'U0TWO',
            queuedAt: T0,
            notBefore: T0 + 60 * MIN,
          },
          position: 2,
          scheduledFor: T0 + 60 * MIN,
        },
      ],
    };
    const reply = queueReply([listing]);
    assert.deepEqual(blockKitProblems(reply.blocks, reply.text), []);
    const text = JSON.stringify(reply.blocks);
    assert.match(text, /backend\/production\*: 2 releases queued — busy with `r0` \(v1\.1\.0\)/);
    assert.match(text, /1st · \*backend\* `v1\.2\.0` → \*production\* · <@U0ONE>/);
    assert.match(
      text,
      /🕒 scheduled for <!date\^\d+\^\{date_short\} \{time\}\|[^>]+> · \*backend\* `v1\.3\.0`/,
    );
    assert.equal(reply.text, '2 releases queued');
    assert.equal(queueReply([]).text, 'Nothing is queued');
  });

  it("keeps a very long listing within Slack's limits and says what it left out", () => {
    const slots = Array.from({ length: 5000 }, (_, i) => ({
      entry: {
        id: `r${i}`,
        app: 'backend',
        environment: 'production',
        version: `v1.${i}.0`,
        requestedBy: 'U0ONE',
        queuedAt: T0 + i,
      },
      position: i + 1,
    }));
    const reply = queueReply([{ scope: { app: 'backend', environment: 'production' }, slots }]);
    assert.deepEqual(blockKitProblems(reply.blocks, reply.text), []);
    assert.match(JSON.stringify(reply.blocks.at(-1)), /more lines not shown/);
  });

  it('calls the requester to press Start, naming what is open, or says it started by itself', () => {
    const call = queueTurnMessage(queued, {
      kind: 'press_start',
      missing: ['Unit tests pass', 'Code reviewed'],
    });
    assert.deepEqual(blockKitProblems(call.blocks, call.text), []);
    assert.match(
      JSON.stringify(call.blocks),
      /<@U0DEPLOYER> it's your turn.*Tick Unit tests pass; Code reviewed, then press \*Start deployment\*/,
    );
    const started = queueTurnMessage(queued, { kind: 'started', tickedBy: ['U0REVIEWER'] });
    assert.match(JSON.stringify(started.blocks), /<@U0DEPLOYER>.*started by itself.*ticked by <@U0REVIEWER>/);
  });

  it('asks about an overtaken release with Run anyway and Cancel it, both naming the release', () => {
    const question = supersededQuestion(queued, { id: 'r9', version: 'v1.3.0' });
    assert.deepEqual(blockKitProblems(question.blocks, question.text), []);
    const actions = question.blocks.find((b) => b.type === 'actions');
    const buttons = actions?.type === 'actions' ? actions.elements : [];
    assert.deepEqual(
      buttons.map((b) => (b.type === 'button' ? [b.action_id, b.value, b.text.text] : [])),
      [
        [RUN_ANYWAY_ACTION, queued.id, 'Run v1.2.0 anyway'],
        [CANCEL_QUEUED_ACTION, queued.id, 'Cancel it'],
      ],
    );
  });
});

describe('the message of a queued release', () => {
  it('shows its place, the checklist to tick while it waits, and Cancel but no Start', () => {
    const message = releaseMessage({
      release: queued,
      checklist: statuses({}, 'pending'),
      queueSlot: {
        entry: {
          id: queued.id,
          app: 'backend',
          environment: 'production',
          version: 'v1.2.0',
          requestedBy: 'U0DEPLOYER',
          queuedAt: T0,
        },
        position: 2,
        ahead: { id: 'r20261127t170000-aaaa', version: 'v1.1.0' },
      },
      now: T0,
    });
    assertWithinLimits(message);
    const text = allText(message);
    assert.match(text, /queued: 2nd behind `r20261127t170000-aaaa` \(v1\.1\.0\)/);
    const ids = elements(message).map((e) => e.action_id);
    assert.ok(ids.includes(CANCEL_ACTION));
    assert.ok(!ids.includes(START_ACTION));
    assert.ok(
      ids.some((id) => String(id).startsWith('checklist:')),
      'its checklist can be ticked',
    );
  });

  it('says why it waits when its place is not at hand', () => {
    const message = releaseMessage({ release: queued, checklist: statuses({}, 'pending'), now: T0 });
    assert.match(allText(message), /queued: backend\/production is busy with r… \(v1\.1\.0\)/);
    assert.match(message.text, /: queued: backend\/production is busy/);
  });
});
