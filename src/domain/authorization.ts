/**
 * Who may do what, decided from configuration and the user's Slack user groups.
 * An empty list means "anyone in the channel": that is the default for
 * deployers of non-production environments and for ticking checklist items.
 * Approvers are never open: a rollback approval always names its rule.
 */
export type Action = 'deploy' | 'approve' | 'tick';

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

/** Slack markup for a user (U…/W…) or a user group (S…). */
export function mention(principal: string): string {
  return principal.startsWith('S') ? `<!subteam^${principal}>` : `<@${principal}>`;
}
