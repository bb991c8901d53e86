/** The people you can be on the workspace page. */
export interface Persona {
  /** A Slack user id the fake Slack knows, e.g. `U0REQUESTER`. */
  id: string;
  /** Shown on the switch, e.g. `Riley`. */
  name: string;
  /** What they are for in a walkthrough, e.g. `requester`. */
  role: string;
  /**
   * What the bot lets them do, in words, e.g. `['deploy & start', 'tick']`; an
   * empty list shows "watch only". Unset: the page says nothing about it, so a
   * page for a bot whose rules it does not know never claims any.
   */
  may?: readonly string[];
}

/** The fake Slack's default users, so mentions and authorization line up with the switch. */
export const DEFAULT_PERSONAS: readonly Persona[] = [
  { id: 'U0REQUESTER', name: 'Riley', role: 'requester' },
  { id: 'U0DEPLOYER', name: 'Dana', role: 'deployer' },
  { id: 'U0APPROVER', name: 'Alex', role: 'approver' },
  { id: 'U0OUTSIDER', name: 'Sam', role: 'outsider' },
];

/** "deploy & start, tick", or "watch only" for someone the rules allow nothing. */
export function describeMay(may: readonly string[]): string {
  return may.length === 0 ? 'watch only' : may.join(', ');
}
