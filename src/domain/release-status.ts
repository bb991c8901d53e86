import type { Release } from './release';

/**
 * What a release is doing, as people should read it, from the stored release
 * and (when one replaced it) its rollback.
 *
 * The stored state is what the engine needs; this is what a reader needs. They
 * differ where the store is ahead of the world: a release is stored
 * `rolled_back` the moment its rollback is approved, while that rollback's
 * deploy is still to run, and a rollback proposal is stored `awaiting_start`
 * although nobody has a checklist to tick, only a decision to make.
 */
export type ShownState =
  | 'queued'
  | 'awaiting_start'
  | 'awaiting_approval'
  | 'awaiting_confirmation'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'superseded'
  | 'withdrawn'
  | 'expired'
  | 'rolling_back'
  | 'rolled_back'
  | 'rollback_failed';

/**
 * `rollback` is the release named by `release.rolledBackBy`, as stored; without
 * it a reverted release can only be said to be rolling back, since nothing
 * proves its rollback ended.
 */
export function shownState(release: Release, rollback?: Release): ShownState {
  if (release.rolledBackBy !== undefined) {
    const current = rollback?.id === release.rolledBackBy ? rollback : undefined;
    if (current === undefined) return 'rolling_back';
    if (current.state === 'succeeded') return 'rolled_back';
    if (current.state === 'failed' || current.state === 'cancelled') return 'rollback_failed';
    return 'rolling_back';
  }
  const closed = release.proposal?.closed;
  if (release.rollbackOf !== undefined && closed !== undefined) return closed.how;
  if (release.rollbackOf !== undefined && release.state === 'awaiting_start') {
    if (release.proposal?.approvedBy !== undefined) return 'running';
    if (release.rollbackOf.database?.confirmedBy !== undefined) return 'awaiting_confirmation';
    return 'awaiting_approval';
  }
  if (release.state === 'rolled_back') return 'rolled_back';
  return release.state;
}

export const SHOWN_WORDS: Record<ShownState, string> = {
  queued: 'queued',
  awaiting_start: 'awaiting start',
  awaiting_approval: 'awaiting approval',
  awaiting_confirmation: 'awaiting second confirmation',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  superseded: 'superseded',
  withdrawn: 'withdrawn',
  expired: 'expired',
  rolling_back: 'rolling back',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback failed',
};

export const SHOWN_EMOJI: Record<ShownState, string> = {
  queued: '🕒',
  awaiting_start: '📋',
  awaiting_approval: '🗳️',
  awaiting_confirmation: '🗳️',
  running: '⏳',
  succeeded: '✅',
  failed: '❌',
  cancelled: '🚫',
  superseded: '⏭️',
  withdrawn: '🚫',
  expired: '⌛',
  rolling_back: '⏪',
  rolled_back: '↩️',
  rollback_failed: '⚠️',
};
