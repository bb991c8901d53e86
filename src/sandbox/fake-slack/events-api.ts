import { randomBytes } from 'node:crypto';
import { APP_ID, TEAM, VERIFICATION_TOKEN } from '../slack-payloads';

/** Slack's event ids: `Ev` and ten upper-case letters or digits. */
function eventId(): string {
  return `Ev${randomBytes(8).toString('hex').toUpperCase().slice(0, 10)}`;
}

/** "1764262000.123456" for now. */
function eventTs(nowMs: number): string {
  return `${Math.floor(nowMs / 1000)}.${String((nowMs % 1000) * 1000).padStart(6, '0')}`;
}

/**
 * The JSON body Slack POSTs (Events API) when `user` opens the app's Home tab
 * (`tab: 'messages'` for its Messages tab). `view` is the Home view the user
 * saw last, as Slack sends it once one was published.
 */
export function appHomeOpenedBody(
  user: string,
  options: { tab?: 'home' | 'messages'; view?: Record<string, unknown>; nowMs?: number } = {},
): string {
  const now = options.nowMs ?? Date.now();
  return JSON.stringify({
    token: VERIFICATION_TOKEN,
    team_id: TEAM.id,
    api_app_id: APP_ID,
    event: {
      type: 'app_home_opened',
      user,
      // The app's DM with the user, as Slack names it.
      channel: `D0${user.replace(/^[UW]0?/, '')}`.slice(0, 11),
      tab: options.tab ?? 'home',
      event_ts: eventTs(now),
      ...(options.view ? { view: options.view } : {}),
    },
    type: 'event_callback',
    event_id: eventId(),
    event_time: Math.floor(now / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM.id,
        user_id: 'U0DEPLOYBOT',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
  });
}
