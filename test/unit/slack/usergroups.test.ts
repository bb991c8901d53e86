import assert from 'node:assert/strict';
import type { WebClient } from '@slack/web-api';
import sinon from 'sinon';
import { UsergroupDirectory } from '../../../src/slack/usergroups';

const TTL = 60_000;

/** A WebClient with only `usergroups.users.list`, answering from `members`. */
function stubClient(members: Record<string, string[] | undefined>) {
  const list = sinon.stub().callsFake(async ({ usergroup }: { usergroup: string }) => ({
    ok: true,
    ...(members[usergroup] ? { users: members[usergroup] } : {}),
  }));
  const client = { usergroups: { users: { list } } } as unknown as WebClient;
  return { client, list };
}

describe('UsergroupDirectory', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_764_000_000_000;
  });

  const CASES: {
    name: string;
    user: string;
    candidates: string[];
    members: Record<string, string[] | undefined>;
    expected: string[];
    asked: string[];
  }[] = [
    {
      name: 'returns the groups among the candidates that the user belongs to',
      user: 'U1',
      candidates: ['S1', 'S2', 'S3'],
      members: { S1: ['U1', 'U2'], S2: ['U2'], S3: ['U1'] },
      expected: ['S1', 'S3'],
      asked: ['S1', 'S2', 'S3'],
    },
    {
      name: 'asks Slack only about user group ids (S…), never user ids (U…, W…)',
      user: 'U1',
      candidates: ['U1', 'W9', 'S1', 'U2'],
      members: { S1: ['U1'] },
      expected: ['S1'],
      asked: ['S1'],
    },
    {
      name: 'asks nothing when no candidate is a group',
      user: 'U1',
      candidates: ['U1', 'W2'],
      members: {},
      expected: [],
      asked: [],
    },
    {
      name: 'asks nothing for an empty candidate list',
      user: 'U1',
      candidates: [],
      members: {},
      expected: [],
      asked: [],
    },
    {
      name: 'treats an answer without users as an empty group',
      user: 'U1',
      candidates: ['S1'],
      members: { S1: undefined },
      expected: [],
      asked: ['S1'],
    },
    {
      name: 'returns no groups for a user in none of them',
      user: 'U9',
      candidates: ['S1', 'S2'],
      members: { S1: ['U1'], S2: ['U2'] },
      expected: [],
      asked: ['S1', 'S2'],
    },
  ];

  for (const { name, user, candidates, members, expected, asked } of CASES) {
    it(name, async () => {
      const { client, list } = stubClient(members);
      const directory = new UsergroupDirectory(client, clock, TTL);
      assert.deepEqual(await directory.groupsOf(user, candidates), expected);
      assert.deepEqual(
        list.getCalls().map((c) => c.args[0]),
        asked.map((usergroup) => ({ usergroup })),
      );
    });
  }

  it('caches a group for the ttl, across users', async () => {
    const { client, list } = stubClient({ S1: ['U1'] });
    const directory = new UsergroupDirectory(client, clock, TTL);
    assert.deepEqual(await directory.groupsOf('U1', ['S1']), ['S1']);
    now += TTL - 1;
    assert.deepEqual(await directory.groupsOf('U1', ['S1']), ['S1']);
    assert.deepEqual(await directory.groupsOf('U2', ['S1']), []);
    assert.equal(list.callCount, 1);
  });

  it('caches each group separately', async () => {
    const { client, list } = stubClient({ S1: ['U1'], S2: ['U1'] });
    const directory = new UsergroupDirectory(client, clock, TTL);
    await directory.groupsOf('U1', ['S1']);
    now += 1000;
    assert.deepEqual(await directory.groupsOf('U1', ['S1', 'S2']), ['S1', 'S2']);
    assert.deepEqual(
      list.getCalls().map((c) => c.args[0]),
      [{ usergroup: 'S1' }, { usergroup: 'S2' }],
    );
  });

  it('asks again once the ttl has passed, and sees membership changes', async () => {
    const members: Record<string, string[]> = { S1: ['U1'] };
    const { client, list } = stubClient(members);
    const directory = new UsergroupDirectory(client, clock, TTL);
    assert.deepEqual(await directory.groupsOf('U1', ['S1']), ['S1']);
    members.S1 = ['U2'];
    now += TTL;
    assert.deepEqual(await directory.groupsOf('U1', ['S1']), []);
    assert.equal(list.callCount, 2);
    // The refreshed answer is cached for a new ttl.
    now += TTL - 1;
    assert.deepEqual(await directory.groupsOf('U2', ['S1']), ['S1']);
    assert.equal(list.callCount, 2);
  });

  it('uses a five-minute ttl by default', async () => {
    const { client, list } = stubClient({ S1: ['U1'] });
    const directory = new UsergroupDirectory(client, clock);
    await directory.groupsOf('U1', ['S1']);
    now += 5 * 60_000 - 1;
    await directory.groupsOf('U1', ['S1']);
    assert.equal(list.callCount, 1);
    now += 1;
    await directory.groupsOf('U1', ['S1']);
    assert.equal(list.callCount, 2);
  });

  it('passes a failing Slack call to the caller and does not cache it', async () => {
    const list = sinon.stub();
    list.onFirstCall().rejects(new Error('ratelimited'));
    list.onSecondCall().resolves({ ok: true, users: ['U1'] });
    const client = { usergroups: { users: { list } } } as unknown as WebClient;
    const directory = new UsergroupDirectory(client, clock, TTL);
    await assert.rejects(directory.groupsOf('U1', ['S1']), /ratelimited/);
    assert.deepEqual(await directory.groupsOf('U1', ['S1']), ['S1']);
    assert.equal(list.callCount, 2);
  });
});
