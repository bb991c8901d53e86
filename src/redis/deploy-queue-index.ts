import type { Redis } from 'ioredis';
import type { LockScope, LockScopeResolver } from '../ports/lock';

/**
 * Which releases wait in which deploy queue: one sorted set of release ids per
 * lock scope (scored by queuedAt; Redis orders equal scores by id, as the
 * domain does), plus a set naming the scopes that have one, for listing
 * across apps. The releases themselves stay the truth: an id whose release is
 * no longer queued is dropped on reading (see ReleaseQueue), and a queued
 * release missing here is put back by the sweep, which finds it among the
 * store's active releases. Adding is idempotent and keeps the first score.
 *
 * Also remembers, per queued release, the question asked when a newer
 * version overtook it and the answer, so that the queue holds until someone
 * answers and asks once.
 */
export interface QueueQuestion {
  newer: { id: string; version: string };
  askedAt: number;
  /** Set when its requester (or an approver) chose to run it anyway. */
  runAnyway?: { by: string; at: number };
}

/** Questions outlive any sensible wait in a queue; they are removed with their release's turn. */
const QUESTION_TTL_S = 30 * 24 * 3600;

export class RedisDeployQueueIndex {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly lockScopeOf: LockScopeResolver = (scope) => scope,
  ) {}

  /** The lock scope whose queue `scope` joins. */
  queueScope(scope: LockScope): LockScope {
    return this.lockScopeOf(scope);
  }

  async add(scope: LockScope, releaseId: string, queuedAt: number): Promise<void> {
    const queue = this.queueScope(scope);
    await this.redis
      .multi()
      .zadd(this.queueKey(queue), 'NX', String(queuedAt), releaseId)
      .sadd(this.scopesKey(), scopeMember(queue))
      .exec();
  }

  async remove(scope: LockScope, releaseId: string): Promise<void> {
    await this.redis.zrem(this.queueKey(this.queueScope(scope)), releaseId);
  }

  /** The ids in the scope's queue, first come first. */
  async ids(scope: LockScope): Promise<string[]> {
    return this.redis.zrange(this.queueKey(this.queueScope(scope)), '0', '-1');
  }

  async isEmpty(scope: LockScope): Promise<boolean> {
    return (await this.redis.zcard(this.queueKey(this.queueScope(scope)))) === 0;
  }

  /** Every lock scope that has (or recently had) a queue. */
  async scopes(): Promise<LockScope[]> {
    const members = await this.redis.smembers(this.scopesKey());
    return members.sort().flatMap((m) => {
      const scope = parseScopeMember(m);
      return scope ? [scope] : [];
    });
  }

  /** Drops a scope from the list once its queue is empty (a later add lists it again). */
  async forgetScopeIfEmpty(scope: LockScope): Promise<void> {
    const queue = this.queueScope(scope);
    if (await this.isEmpty(queue)) await this.redis.srem(this.scopesKey(), scopeMember(queue));
  }

  /** Records the question unless one was asked already; true when this call asked it. */
  async ask(releaseId: string, question: QueueQuestion): Promise<boolean> {
    const set = await this.redis.set(
      this.questionKey(releaseId),
      JSON.stringify(question),
      'EX',
      QUESTION_TTL_S,
      'NX',
    );
    return set === 'OK';
  }

  async question(releaseId: string): Promise<QueueQuestion | undefined> {
    const json = await this.redis.get(this.questionKey(releaseId));
    return json === null ? undefined : (JSON.parse(json) as QueueQuestion);
  }

  /** "Run it anyway": the answer is kept with its question until the release's turn. */
  async answerRunAnyway(releaseId: string, by: string, at: number): Promise<QueueQuestion | undefined> {
    const question = await this.question(releaseId);
    if (!question) return undefined;
    const answered: QueueQuestion = { ...question, runAnyway: question.runAnyway ?? { by, at } };
    await this.redis.set(this.questionKey(releaseId), JSON.stringify(answered), 'EX', QUESTION_TTL_S);
    return answered;
  }

  async forgetQuestion(releaseId: string): Promise<void> {
    await this.redis.del(this.questionKey(releaseId));
  }

  private queueKey(scope: LockScope): string {
    return `${this.prefix}:deploy-queue:${scope.app}:${scope.environment}`;
  }

  private scopesKey(): string {
    return `${this.prefix}:deploy-queues`;
  }

  private questionKey(releaseId: string): string {
    return `${this.prefix}:deploy-queue-question:${releaseId}`;
  }
}

/** JSON, so that no character of an app or group name can split it wrongly. */
function scopeMember(scope: LockScope): string {
  return JSON.stringify([scope.app, scope.environment]);
}

function parseScopeMember(member: string): LockScope | undefined {
  const parsed: unknown = JSON.parse(member);
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || typeof parsed[1] !== 'string')
    return undefined;
  return { app: parsed[0], environment: parsed[1] };
}
