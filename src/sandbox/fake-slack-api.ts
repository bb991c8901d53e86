/**
 * A local stand-in for Slack's Web API, for end-to-end tests and the local
 * sandbox. See `fake-slack/server.ts`.
 */
export { FakeSlackApi } from './fake-slack/server';
export { BOT as FAKE_BOT, DEFAULT_CHANNELS, DEFAULT_USERGROUPS, DEFAULT_USERS } from './fake-slack/workspace';
export { RESPONSE_URL_MAX_USES } from './fake-slack/response-urls';
export type {
  FakeCall,
  FakeChannel,
  FakeEphemeral,
  FakeMessage,
  FakeResponse,
  FakeSlackChange,
  FakeSlackOptions,
  FakeUser,
  FakeVia,
  FakeView,
} from './fake-slack/types';
