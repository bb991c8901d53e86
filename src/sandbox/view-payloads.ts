/**
 * `view_submission` payloads as Slack sends them when someone presses a
 * modal's submit button: the view as opened, with what was typed into its
 * inputs in `view.state.values`. Shared by the tests and the local workspace
 * page, like slack-payloads.ts, and sent the same way (interactionBody, postToBolt).
 */
import { APP_ID, randomTriggerId, TEAM, VERIFICATION_TOKEN } from './slack-payloads';

type Json = Record<string, unknown>;

export interface ViewSubmission {
  user_id: string;
  user_name?: string;
  team_id?: string;
  /** The view's id (`V…`), as views.open answered it. */
  view_id: string;
  /** The view as the bot opened it: its blocks say which inputs there are. */
  view: Json;
  /** What the person typed, by input block id; an input left out was left empty. */
  values: Record<string, string>;
}

/**
 * `view.state.values` for a view's plain-text inputs: Slack reports every
 * input, and an empty one as `value: null`.
 */
export function viewStateValues(view: Json, typed: Record<string, string>): Record<string, Json> {
  const values: Record<string, Json> = {};
  for (const raw of Array.isArray(view.blocks) ? (view.blocks as Json[]) : []) {
    const element = raw.element as Json | undefined;
    if (raw.type !== 'input' || typeof raw.block_id !== 'string' || !element) continue;
    if (element.type !== 'plain_text_input' || typeof element.action_id !== 'string') continue;
    const value = typed[raw.block_id];
    values[raw.block_id] = {
      [element.action_id]: {
        type: 'plain_text_input',
        value: value === undefined || value === '' ? null : value,
      },
    };
  }
  return values;
}

/** The payload of a submitted modal. */
export function viewSubmissionPayload(submission: ViewSubmission): Json {
  const teamId = submission.team_id ?? TEAM.id;
  const userName = submission.user_name ?? submission.user_id.toLowerCase();
  const view = submission.view;
  return {
    type: 'view_submission',
    team: { id: teamId, domain: TEAM.domain },
    user: { id: submission.user_id, username: userName, name: userName, team_id: teamId },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: randomTriggerId(),
    view: {
      id: submission.view_id,
      team_id: teamId,
      type: 'modal',
      blocks: view.blocks ?? [],
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
      state: { values: viewStateValues(view, submission.values) },
      hash: `${Math.floor(Date.now() / 1000)}.${submission.view_id.toLowerCase()}`,
      title: view.title,
      clear_on_close: false,
      notify_on_close: false,
      close: view.close ?? null,
      submit: view.submit ?? null,
      previous_view_id: null,
      root_view_id: submission.view_id,
      app_id: APP_ID,
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: 'B0DEPLOYBOT',
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
