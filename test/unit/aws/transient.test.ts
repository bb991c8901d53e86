import assert from 'node:assert/strict';
import { DeploybotError, StepFailure } from '../../../src/domain/errors';
import { isTransientError } from '../../../src/aws/transient';

function named(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...extra });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code}`), { code });
}

describe('isTransientError', () => {
  it('treats AWS throttling as transient', () => {
    for (const name of [
      'ThrottlingException',
      'Throttling',
      'TooManyRequestsException',
      'RequestLimitExceeded',
      'ProvisionedThroughputExceededException',
      'LimitExceededException',
    ]) {
      assert.equal(isTransientError(named(name)), true, name);
    }
  });

  it('treats server-side failures as transient', () => {
    for (const name of [
      'ServiceUnavailable',
      'ServiceUnavailableException',
      'InternalFailure',
      'ServerException',
    ]) {
      assert.equal(isTransientError(named(name)), true, name);
    }
    assert.equal(isTransientError(named('SomethingNew', { $metadata: { httpStatusCode: 503 } })), true);
    assert.equal(isTransientError(named('SomethingNew', { $metadata: { httpStatusCode: 429 } })), true);
  });

  it('trusts the SDK when it marks an error retryable', () => {
    assert.equal(isTransientError(named('Whatever', { $retryable: { throttling: false } })), true);
  });

  it('treats timeouts and dropped connections as transient', () => {
    for (const name of ['TimeoutError', 'RequestTimeout'])
      assert.equal(isTransientError(named(name)), true, name);
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']) {
      assert.equal(isTransientError(systemError(code)), true, code);
    }
    assert.equal(isTransientError(new Error('socket hang up')), true);
  });

  it('looks through cause chains and AggregateErrors', () => {
    assert.equal(isTransientError(new Error('request failed', { cause: systemError('ECONNRESET') })), true);
    assert.equal(isTransientError(new AggregateError([systemError('ECONNREFUSED')], 'connect failed')), true);
  });

  it('treats client mistakes and missing resources as permanent', () => {
    for (const name of [
      'ValidationException',
      'AccessDeniedException',
      'ClientException',
      'InvalidParameterException',
      'ResourceNotFoundException',
      'DBSnapshotNotFoundFault',
      'UnrecognizedClientException',
    ]) {
      assert.equal(isTransientError(named(name, { $metadata: { httpStatusCode: 400 } })), false, name);
    }
    assert.equal(isTransientError(systemError('ENOTFOUND')), false);
  });

  it('never retries deploybot’s own decisions, whatever caused them', () => {
    const cause = named('ThrottlingException');
    assert.equal(isTransientError(new StepFailure('run_task_failed', 'no', { cause })), false);
    assert.equal(isTransientError(new DeploybotError('x', 'y', { cause })), false);
  });

  it('treats cancellation and non-errors as permanent', () => {
    assert.equal(isTransientError(named('AbortError', { $metadata: { httpStatusCode: 503 } })), false);
    for (const value of [undefined, null, 'ThrottlingException', 503]) {
      assert.equal(isTransientError(value), false, String(value));
    }
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    assert.equal(isTransientError(a), false);
  });
});
