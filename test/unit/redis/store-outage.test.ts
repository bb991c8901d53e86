import assert from 'node:assert/strict';
import {
  isKnownDown,
  isStoreUnreachable,
  STORE_UNREACHABLE_TEXT,
  StoreUnreachableError,
} from '../../../src/redis/store-outage';
import { InvalidRequestError } from '../../../src/domain/errors';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('store outage', () => {
  describe('isStoreUnreachable', () => {
    const UNREACHABLE: [string, unknown][] = [
      ['our own StoreUnreachableError', new StoreUnreachableError()],
      [
        'a refused command while disconnected (offline queue off)',
        new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      ],
      ['a command timeout (Redis holds the socket but does not answer)', new Error('Command timed out')],
      ['a closed connection', new Error('Connection is closed.')],
      ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:6390', 'ECONNREFUSED')],
      ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
      [
        'retries used up',
        Object.assign(new Error('Reached the max retries per request limit (which is 0).'), {
          name: 'MaxRetriesPerRequestError',
        }),
      ],
      [
        'an error caused by one of these',
        new Error('enqueue failed', { cause: new Error('Command timed out') }),
      ],
      [
        'a dual-stack connect failure',
        new AggregateError([withCode('connect ECONNREFUSED ::1:6390', 'ECONNREFUSED')], ''),
      ],
    ];
    for (const [what, error] of UNREACHABLE) {
      it(`recognises ${what}`, () => assert.equal(isStoreUnreachable(error), true));
    }

    const OTHERS: [string, unknown][] = [
      ['a refusal of the request itself', new InvalidRequestError('unknown_release', 'no release r-1')],
      ['a Redis error reply', new Error('WRONGTYPE Operation against a key holding the wrong kind of value')],
      ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['something that is not an error', 'Command timed out'],
      ['nothing', undefined],
    ];
    for (const [what, error] of OTHERS) {
      it(`does not take ${what} for an outage`, () => assert.equal(isStoreUnreachable(error), false));
    }
  });

  it('says nothing was started, in the words people are shown', () => {
    assert.equal(new StoreUnreachableError().message, STORE_UNREACHABLE_TEXT);
    assert.equal(new StoreUnreachableError().code, 'store_unreachable');
    assert.match(STORE_UNREACHABLE_TEXT, /nothing was started/);
  });

  describe('isKnownDown', () => {
    for (const status of ['reconnecting', 'close', 'end']) {
      it(`knows a connection that lost Redis (${status}) is down`, () => {
        assert.equal(isKnownDown({ status, options: {} }), true);
      });
    }
    for (const status of ['wait', 'connecting', 'connect']) {
      it(`knows a fail-fast connection that is still ${status} is down: it would refuse the command`, () => {
        assert.equal(isKnownDown({ status, options: { enableOfflineQueue: false } }), true);
      });
      it(`lets a connection with an offline queue that is ${status} hold the command until it is ready`, () => {
        assert.equal(isKnownDown({ status, options: { enableOfflineQueue: true } }), false);
      });
    }
    it('does not call a ready connection down (its command timeout covers a Redis that hangs)', () => {
      assert.equal(isKnownDown({ status: 'ready', options: { enableOfflineQueue: false } }), false);
    });
  });
});
