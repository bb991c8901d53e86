/**
 * Who may do what, decided from configuration and the user's Slack user groups.
 * An empty list means "anyone in the channel": that is the default for
 * deployers of non-production environments and for ticking checklist items.
 * Approvers are never open: a rollback approval always names its rule.
 */
export type Action = 'deploy' | 'approve' | 'tick' | 'unlock' | 'override';

export interface Rule {
  /** Slack user ids (U…, W…) and user group ids (S…). */
  principals: readonly string[];
  /** When the list is empty: allow everyone, or no one. */
  emptyMeans: 'everyone' | 'no-one';
}

export type Decision = { allowed: true; because: string } | { allowed: false; because: string };

export function decide(rule: Rule, userId: string, userGroups: readonly string[], what: string): Decision {
  if (rule.principals.length === 0) {
    return rule.emptyMeans === 'everyone'
      ? { allowed: true, because: `anyone may ${what}` }
      : { allowed: false, because: `nobody is configured to ${what}` };
  }
  if (rule.principals.includes(userId))
    return { allowed: true, because: `<@${userId}> is listed for ${what}` };
  const group = rule.principals.find((p) => userGroups.includes(p));
  if (group) return { allowed: true, because: `member of <!subteam^${group}>` };
  return { allowed: false, because: `only ${rule.principals.map(mention).join(', ')} may ${what}` };
}

/**
 * Who may lift a manual lock. A lock usually follows a rollback, and deciding
 * that the app is fit to take releases again is the same call as approving
 * the rollback: the environment's approvers make it. Where an environment
 * names no approvers (a staging, typically), nobody could ever unlock it, so
 * its deployers may. Whoever placed a lock may always lift their own; that is
 * decided where the lock is known, not here.
 */
export function unlockRule(env: { approvers: readonly string[]; deployers: readonly string[] }): Rule {
  return env.approvers.length > 0
    ? { principals: env.approvers, emptyMeans: 'no-one' }
    : { principals: env.deployers, emptyMeans: 'everyone' };
}

/** Slack user, bot and group ids; anything else (deploybot, cli:alice) is not a Slack principal. */
const SLACK_ID = /^[UWS][A-Z0-9]{2,}$/;

/** A person as chat shows them: a mention for a Slack id, the name as it is otherwise (deploybot, cli:alice). */
export function person(id: string): string {
  return SLACK_ID.test(id) ? mention(id) : id;
}

/** Slack markup for a user (U…/W…) or a user group (S…). */
export function mention(principal: string): string {
  return principal.startsWith('S') ? `<!subteam^${principal}>` : `<@${principal}>`;
}
