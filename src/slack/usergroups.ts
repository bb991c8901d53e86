import type { WebClient } from '@slack/web-api';

/**
 * Members of Slack user groups, from `usergroups.users.list`, cached so that an
 * authorization check does not cost a Slack call per click. A membership change
 * in Slack takes effect within `ttlMs`.
 */
export class UsergroupDirectory {
  private readonly cache = new Map<string, { members: Set<string>; until: number }>();

  constructor(
    private readonly client: WebClient,
    private readonly now: () => number,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  /** The groups among `candidates` that `userId` belongs to. */
  async groupsOf(userId: string, candidates: readonly string[]): Promise<string[]> {
    const groups = candidates.filter((c) => c.startsWith('S'));
    const member = await Promise.all(groups.map(async (g) => (await this.members(g)).has(userId)));
    return groups.filter((_, i) => member[i]);
  }

  private async members(groupId: string): Promise<Set<string>> {
    const cached = this.cache.get(groupId);
    if (cached && cached.until > this.now()) return cached.members;
    const answer = await this.client.usergroups.users.list({ usergroup: groupId });
    const members = new Set(answer.users ?? []);
    this.cache.set(groupId, { members, until: this.now() + this.ttlMs });
    return members;
  }
}
