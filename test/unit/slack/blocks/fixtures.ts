import assert from 'node:assert/strict';
import {
  CHECKLIST,
  DEFAULT_REQUIRED,
  checklistStatus,
  type PreflightCheck,
  type Tick,
} from '../../../../src/domain/checklist';
import { planSteps } from '../../../../src/domain/plan';
import type { Release, StepName, StepRecord } from '../../../../src/domain/release';
import type { Block, Message } from '../../../../src/slack/blocks/block';
import { blockKitProblems } from '../../../../src/slack/blocks/limits';

export const T0 = Date.UTC(2026, 10, 27, 17, 13, 40);

/** A release of backend v1.2.0 to production awaiting its start, every step still to run. */
export function aRelease(overrides: Partial<Release> = {}): Release {
  return {
    id: 'r20261127t171340-3f9a',
    app: 'backend',
    environment: 'production',
    version: 'v1.2.0',
    type: 'minor',
    requestedBy: 'U0DEPLOYER',
    state: 'awaiting_start',
    createdAt: T0,
    updatedAt: T0,
    revision: 1,
    steps: planSteps('minor', { hasDatabase: true, hasMigration: true }),
    facts: { previousTaskDefinitions: {}, targetTaskDefinitions: {} },
    checklist: {},
    ...overrides,
  };
}

/** The release's steps with some of them replaced (by name). */
export function withSteps(
  release: Release,
  changes: Partial<Record<StepName, Partial<StepRecord>>>,
): Release {
  return {
    ...release,
    steps: release.steps.map((s) => ({ ...s, ...changes[s.name] })),
  };
}

export const done = (startedAt: number, seconds: number, summary: string): Partial<StepRecord> => ({
  state: 'succeeded',
  startedAt,
  finishedAt: startedAt + seconds * 1000,
  summary,
  runs: 1,
});

/** What preflight reports when everything is fine. */
export const ALL_CHECKS_OK: PreflightCheck[] = [
  { id: 'image:backend', ok: true, text: 'image v1.2.0 exists for backend' },
  { id: 'service-idle:backend-service', ok: true, text: 'backend-service: no rollout in progress' },
  { id: 'service-steady:backend-service', ok: true, text: 'backend-service: 2/2 tasks running' },
  { id: 'database-available', ok: true, text: 'social-analytics-db is available' },
  { id: 'required-environment', ok: true, text: 'v1.2.0 succeeded on staging' },
  { id: 'required-environment-healthy', ok: true, text: 'staging is healthy' },
];

/** The checklist of CHECKLIST with these ticks; `checks: 'pending'` while preflight has not reported. */
export function statuses(
  ticks: Record<string, Tick> = {},
  checks: PreflightCheck[] | 'pending' = ALL_CHECKS_OK,
  required: readonly string[] = DEFAULT_REQUIRED,
) {
  return checklistStatus(CHECKLIST, ticks, checks === 'pending' ? undefined : checks, required);
}

export function assertWithinLimits(message: Message, what = 'message'): void {
  assert.deepEqual(blockKitProblems(message.blocks, message.text), [], what);
  assert.ok(message.blocks.length < 50, `${what}: ${message.blocks.length} blocks`);
  assert.ok(message.text.length > 0, `${what}: empty fallback text`);
  for (const block of message.blocks) {
    if (block.type === 'header') assert.ok(textOf(block.text).length <= 150, `${what}: header too long`);
    if (block.type === 'section' && block.text) {
      assert.ok(textOf(block.text).length <= 3000, `${what}: section text too long`);
    }
    if (block.type === 'actions') {
      for (const element of block.elements as Block[]) {
        if (element.type === 'checkboxes') assert.ok((element.options as Block[]).length <= 10);
      }
    }
  }
}

export function textOf(value: unknown): string {
  return typeof value === 'object' && value !== null && typeof (value as Block).text === 'string'
    ? ((value as Block).text as string)
    : '';
}

/** Every text in the message, in order, for searching. */
export function allText(message: Message): string {
  return picture(message);
}

export function blocksOfType(message: Message, type: string): Block[] {
  return message.blocks.filter((b) => b.type === type);
}

/** Every element of every actions block. */
export function elements(message: Message): Block[] {
  return blocksOfType(message, 'actions').flatMap((b) => b.elements as Block[]);
}

export function checkboxes(message: Message): Block[] {
  return elements(message).filter((e) => e.type === 'checkboxes');
}

export function buttons(message: Message): Block[] {
  return elements(message).filter((e) => e.type === 'button');
}

/** A compact textual picture of a message: one or more lines a block. */
export function picture(message: Message): string {
  const out: string[] = [];
  for (const block of message.blocks) {
    switch (block.type) {
      case 'header':
        out.push(`# ${textOf(block.text)}`);
        break;
      case 'section':
        if (block.text) out.push(textOf(block.text));
        if (block.fields)
          out.push((block.fields as Block[]).map((f) => textOf(f).replace('\n', ': ')).join(' | '));
        break;
      case 'context':
        out.push(`  ${(block.elements as Block[]).map(textOf).join(' ')}`);
        break;
      case 'divider':
        out.push('────────');
        break;
      case 'actions':
        for (const element of block.elements as Block[]) {
          if (element.type === 'button') {
            out.push(`[${textOf(element.text)}]${element.style ? ` (${String(element.style)})` : ''}`);
          } else if (element.type === 'checkboxes') {
            const ticked = new Set(((element.initial_options as Block[]) ?? []).map((o) => o.value));
            for (const option of element.options as Block[]) {
              const description = textOf(option.description);
              out.push(
                `${ticked.has(option.value) ? '☑' : '☐'} ${textOf(option.text)}${description ? ` — ${description}` : ''}`,
              );
            }
          }
        }
        break;
      default:
        out.push(`<${String(block.type)}>`);
    }
  }
  return out.join('\n');
}
