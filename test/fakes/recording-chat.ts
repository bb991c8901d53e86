import type { Release, StepName } from '../../src/domain/release';
import type { QueueTurn, ReleaseChat } from '../../src/ports/release-chat';

/** Remembers what the engine told the chat, in order. */
export class RecordingChat implements ReleaseChat {
  readonly events: { kind: string; releaseId: string; state: string; step?: StepName; lines?: string[] }[] =
    [];

  async releaseCreated(release: Release): Promise<void> {
    this.events.push({ kind: 'created', releaseId: release.id, state: release.state });
  }
  /** An update records the notes its steps show (`monitor: sample 2/4 — healthy so far`). */
  async releaseUpdated(release: Release): Promise<void> {
    const notes = release.steps.flatMap((s) =>
      typeof s.progress.note === 'string' ? [`${s.name}: ${s.progress.note}`] : [],
    );
    this.events.push({ kind: 'updated', releaseId: release.id, state: release.state, lines: notes });
  }
  async stepDetail(release: Release, step: StepName, lines: string[]): Promise<void> {
    this.events.push({ kind: 'detail', releaseId: release.id, state: release.state, step, lines });
  }
  async releaseFinished(release: Release): Promise<void> {
    this.events.push({ kind: 'finished', releaseId: release.id, state: release.state });
  }
  async appLocked(release: Release, lock: { by: string; reason: string; at: number }): Promise<void> {
    this.events.push({
      kind: 'locked',
      releaseId: release.id,
      state: release.state,
      lines: [lock.by, lock.reason],
    });
  }
  async policyOverridden(release: Release): Promise<void> {
    const o = release.override;
    this.events.push({
      kind: 'overridden',
      releaseId: release.id,
      state: release.state,
      lines: o ? [o.by, o.overrode, o.reason] : [],
    });
  }
  async reviewRequested(release: Release): Promise<void> {
    this.events.push({ kind: 'review', releaseId: release.id, state: release.state });
  }
  /** `queue-turn` with `press_start` and the missing items, or `started` and who ticked. */
  async queueTurnCame(release: Release, turn: QueueTurn): Promise<void> {
    const lines = turn.kind === 'started' ? ['started', ...turn.tickedBy] : ['press_start', ...turn.missing];
    this.events.push({ kind: 'queue-turn', releaseId: release.id, state: release.state, lines });
  }
  async queuedReleaseSuperseded(release: Release, newer: { id: string; version: string }): Promise<void> {
    this.events.push({
      kind: 'queue-superseded',
      releaseId: release.id,
      state: release.state,
      lines: [newer.id, newer.version],
    });
  }
}
