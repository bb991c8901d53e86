import type { Release, StepName } from '../../src/domain/release';
import type { ReleaseChat } from '../../src/ports/release-chat';

/** Remembers what the engine told the chat, in order. */
export class RecordingChat implements ReleaseChat {
  readonly events: { kind: string; releaseId: string; state: string; step?: StepName; lines?: string[] }[] =
    [];

  async releaseCreated(release: Release): Promise<void> {
    this.events.push({ kind: 'created', releaseId: release.id, state: release.state });
  }
  async releaseUpdated(release: Release): Promise<void> {
    this.events.push({ kind: 'updated', releaseId: release.id, state: release.state });
  }
  async stepDetail(release: Release, step: StepName, lines: string[]): Promise<void> {
    this.events.push({ kind: 'detail', releaseId: release.id, state: release.state, step, lines });
  }
  async releaseFinished(release: Release): Promise<void> {
    this.events.push({ kind: 'finished', releaseId: release.id, state: release.state });
  }
}
