/** Block Kit builders: pure functions from releases to `{ text, blocks }` within Slack's limits. */
export type { Block, Message } from './block';
export { blockKitProblems, LIMITS } from './limits';
export { CHECKLIST_ACTION_PREFIX } from './checklist-blocks';
export { CANCEL_ACTION, START_ACTION, releaseMessage, type ReleaseView } from './release-message';
export { releaseFinishedMessage, stepDetailMessage } from './thread-messages';
export {
  errorReply,
  helpReply,
  historyReply,
  noticeReply,
  planReply,
  refusedReply,
  statusReply,
  usageReply,
  type LockView,
  type StatusView,
} from './replies';
export { appLockedMessage, unlockCommand, type AppLock } from './lock-message';
export { plainTime, slackTime } from './release-format';
export { codeBlock, escapeMrkdwn, truncate } from './text';
export {
  APPROVE_ROLLBACK_ACTION,
  CONFIRM_RESTORE_ACTION,
  REJECT_ROLLBACK_ACTION,
  rollbackMessage,
  type RollbackView,
} from './rollback-message';
