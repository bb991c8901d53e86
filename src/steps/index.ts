import type { StepName } from '../domain/release';
import { backup } from './backup';
import { baseline } from './baseline';
import { deploy } from './deploy';
import { migrate, migrateDown } from './migrate';
import { monitor } from './monitor';
import { preflight } from './preflight';
import { restore } from './restore';
import type { StepHandler } from './step-handler';
import { verify } from './verify';

/** The runbook's steps, by name; the release plan decides which of them a release runs. */
export const STEP_HANDLERS: Record<StepName, StepHandler> = {
  preflight,
  backup,
  baseline,
  migrate,
  deploy,
  verify,
  monitor,
  migrate_down: migrateDown,
  restore,
};
