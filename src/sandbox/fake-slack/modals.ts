import { randomBytes } from 'node:crypto';
import { modalViewProblems } from '../../slack/blocks/modal-limits';
import { randomTriggerId } from '../slack-payloads';
import { str, type Params } from './content';
import { BOT } from './workspace';

/** Slack: a trigger_id may open a modal within 3 seconds of the interaction, once. */
export const TRIGGER_LIFETIME_MS = 3000;

/** A modal the bot opened, as the person it was opened for sees it. */
export interface FakeModal {
  /** `V…`, what views.open answered and view_submission payloads name. */
  id: string;
  user: string;
  /** The view as the bot sent it (after `response_action: 'update'`, as updated). */
  view: Record<string, unknown>;
  triggerId: string;
  at: number;
}

type Answer = Record<string, unknown> & { ok: boolean; error?: string };

/**
 * The modals of the fake Slack: trigger ids it handed out with interactions
 * (each names its user, as Slack's do, since views.open takes no user), and
 * the views opened with them. A person has at most one modal open; opening
 * another replaces it, as a new modal does in Slack.
 */
export class FakeModals {
  private readonly triggers = new Map<string, { user: string; issuedAt: number; exchanged: boolean }>();
  private readonly open = new Map<string, FakeModal>();

  /** A trigger_id for an interaction by `user` now. */
  issueTrigger(user: string, now: number): string {
    const id = randomTriggerId();
    this.triggers.set(id, { user, issuedAt: now, exchanged: false });
    return id;
  }

  /** views.open: Slack's checks on the trigger and the view, then the modal. */
  viewsOpen(params: Params, now: number): Answer {
    const triggerId = str(params, 'trigger_id');
    const trigger = triggerId === undefined ? undefined : this.triggers.get(triggerId);
    if (!triggerId || !trigger) return { ok: false, error: 'invalid_trigger_id' };
    if (trigger.exchanged) return { ok: false, error: 'exchanged_trigger_id' };
    if (now - trigger.issuedAt > TRIGGER_LIFETIME_MS) return { ok: false, error: 'expired_trigger_id' };
    const view = params.view;
    const problems = modalViewProblems(view);
    if (problems.length > 0) {
      return {
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
      };
    }
    trigger.exchanged = true;
    for (const [id, modal] of this.open) if (modal.user === trigger.user) this.open.delete(id);
    const modal: FakeModal = {
      id: `V0${randomBytes(5).toString('hex').toUpperCase()}`,
      user: trigger.user,
      view: view as Record<string, unknown>,
      triggerId,
      at: now,
    };
    this.open.set(modal.id, modal);
    return { ok: true, view: viewJson(modal) };
  }

  /** The modal open for `user`, if any. */
  forUser(user: string): FakeModal | undefined {
    return [...this.open.values()].find((m) => m.user === user);
  }

  byId(id: string): FakeModal | undefined {
    return this.open.get(id);
  }

  /** `response_action: 'update'`: the same modal shows a new view. */
  update(id: string, view: Record<string, unknown>): boolean {
    const modal = this.open.get(id);
    if (!modal) return false;
    modal.view = view;
    return true;
  }

  close(id: string): FakeModal | undefined {
    const modal = this.open.get(id);
    this.open.delete(id);
    return modal;
  }

  clear(): void {
    this.triggers.clear();
    this.open.clear();
  }
}

/** A modal as Slack's API shows it: the view sent, plus the ids Slack adds. */
export function viewJson(modal: FakeModal): Record<string, unknown> {
  return {
    id: modal.id,
    team_id: BOT.teamId,
    app_id: BOT.appId,
    bot_id: BOT.botId,
    app_installed_team_id: BOT.teamId,
    root_view_id: modal.id,
    previous_view_id: null,
    external_id: '',
    hash: `${Math.floor(modal.at / 1000)}.${modal.id.toLowerCase()}`,
    clear_on_close: false,
    notify_on_close: false,
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    ...modal.view,
  };
}
