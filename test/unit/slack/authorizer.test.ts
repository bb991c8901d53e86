import assert from 'node:assert/strict';
import type { EnvironmentConfig } from '../../../src/config/schema';
import { decide, mention, type Action, type Decision, type Rule } from '../../../src/domain/authorization';
import type { AuditEntry, AuditLog } from '../../../src/ports/audit-log';
import type { Clock } from '../../../src/ports/clock';
import { Authorizer, type GroupLookup } from '../../../src/slack/authorizer';
import { testConfig } from '../../support/test-config';

const NOW = 1_764_000_000_000;
const RELEASE_ID = 'r20261127t171340-3f9a';

class RecordingAuditLog implements AuditLog {
  readonly entries: Omit<AuditEntry, 'id'>[] = [];

  async append(entry: Omit<AuditEntry, 'id'>): Promise<string> {
    this.entries.push(entry);
    return `${this.entries.length}-0`;
  }

  async recent(): Promise<AuditEntry[]> {
    return [];
  }
}

/** Group membership from a table: user -> groups. Records what it was asked. */
class StubGroups implements GroupLookup {
  readonly asked: { userId: string; candidates: readonly string[] }[] = [];

  constructor(private readonly membership: Record<string, string[]>) {}

  async groupsOf(userId: string, candidates: readonly string[]): Promise<string[]> {
    this.asked.push({ userId, candidates });
    return (this.membership[userId] ?? []).filter((g) => candidates.includes(g));
  }
}

const clock: Clock = { now: () => NOW };

/** An environment from the test config with the given principal lists. */
function environment(lists: {
  deployers?: string[];
  approvers?: string[];
  tickers?: string[];
}): EnvironmentConfig {
  const base = testConfig().apps.backend?.environments.staging;
  assert.ok(base);
  return {
    ...base,
    deployers: lists.deployers ?? [],
    approvers: lists.approvers ?? [],
    checklist: { ...base.checklist, tickers: lists.tickers ?? [] },
  };
}

describe('Authorizer', () => {
  const MEMBERSHIP: Record<string, string[]> = {
    U0ALICE: ['S0DEPLOYERS'],
    U0BOB: ['S0OTHER'],
    U0CAROL: [],
  };

  const CASES: {
    name: string;
    action: Action;
    user: string;
    env: { deployers?: string[]; approvers?: string[]; tickers?: string[] };
    expected: Decision;
  }[] = [
    {
      name: 'lets anyone deploy when no deployers are configured',
      action: 'deploy',
      user: 'U0CAROL',
      env: {},
      expected: { allowed: true, because: 'anyone may deploy to production' },
    },
    {
      name: 'lets anyone tick the checklist when no tickers are configured',
      action: 'tick',
      user: 'U0CAROL',
      env: {},
      expected: { allowed: true, because: 'anyone may tick the production checklist' },
    },
    {
      name: 'lets nobody approve when no approvers are configured',
      action: 'approve',
      user: 'U0ALICE',
      env: { deployers: [], approvers: [] },
      expected: { allowed: false, because: 'nobody is configured to approve rollbacks in production' },
    },
    {
      name: 'lets a user listed directly deploy',
      action: 'deploy',
      user: 'U0CAROL',
      env: { deployers: ['S0DEPLOYERS', 'U0CAROL'] },
      expected: { allowed: true, because: '<@U0CAROL> is listed for deploy to production' },
    },
    {
      name: 'lets a member of a listed group deploy',
      action: 'deploy',
      user: 'U0ALICE',
      env: { deployers: ['S0DEPLOYERS'] },
      expected: { allowed: true, because: 'member of <!subteam^S0DEPLOYERS>' },
    },
    {
      name: 'refuses a user in neither the list nor a listed group, naming the rule',
      action: 'deploy',
      user: 'U0BOB',
      env: { deployers: ['S0DEPLOYERS'] },
      expected: { allowed: false, because: 'only <!subteam^S0DEPLOYERS> may deploy to production' },
    },
    {
      name: 'names every principal of the rule, users and groups, in a refusal',
      action: 'approve',
      user: 'U0CAROL',
      env: { approvers: ['U0APPROVER', 'S0LEADS', 'W0GUEST'] },
      expected: {
        allowed: false,
        because: 'only <@U0APPROVER>, <!subteam^S0LEADS>, <@W0GUEST> may approve rollbacks in production',
      },
    },
    {
      name: 'lets a listed approver approve',
      action: 'approve',
      user: 'U0CAROL',
      env: { approvers: ['U0CAROL'] },
      expected: { allowed: true, because: '<@U0CAROL> is listed for approve rollbacks in production' },
    },
    {
      name: 'refuses a ticker outside the tickers list',
      action: 'tick',
      user: 'U0BOB',
      env: { tickers: ['S0DEPLOYERS'] },
      expected: { allowed: false, because: 'only <!subteam^S0DEPLOYERS> may tick the production checklist' },
    },
    {
      name: 'judges deploy by deployers only, not approvers',
      action: 'deploy',
      user: 'U0CAROL',
      env: { deployers: ['S0DEPLOYERS'], approvers: ['U0CAROL'] },
      expected: { allowed: false, because: 'only <!subteam^S0DEPLOYERS> may deploy to production' },
    },
    {
      name: 'judges approve by approvers only, not deployers',
      action: 'approve',
      user: 'U0ALICE',
      env: { deployers: ['S0DEPLOYERS'], approvers: ['U0APPROVER'] },
      expected: { allowed: false, because: 'only <@U0APPROVER> may approve rollbacks in production' },
    },
  ];

  for (const { name, action, user, env, expected } of CASES) {
    it(name, async () => {
      const audit = new RecordingAuditLog();
      const authorizer = new Authorizer(new StubGroups(MEMBERSHIP), audit, clock);
      const decision = await authorizer.check(
        action,
        user,
        { app: 'backend', environment: 'production', config: environment(env) },
        RELEASE_ID,
      );
      assert.deepEqual(decision, expected);
      if (expected.allowed) {
        assert.deepEqual(audit.entries, [], 'an allowed decision was audited');
      } else {
        assert.deepEqual(audit.entries, [
          {
            at: NOW,
            actor: user,
            action: `refused.${action}`,
            app: 'backend',
            environment: 'production',
            releaseId: RELEASE_ID,
            detail: expected.because,
          },
        ]);
      }
    });
  }

  it('audits a refusal without a release id when none is given', async () => {
    const audit = new RecordingAuditLog();
    const authorizer = new Authorizer(new StubGroups(MEMBERSHIP), audit, clock);
    const decision = await authorizer.check('deploy', 'U0BOB', {
      app: 'backend',
      environment: 'staging',
      config: environment({ deployers: ['S0DEPLOYERS'] }),
    });
    assert.equal(decision.allowed, false);
    assert.deepEqual(audit.entries, [
      {
        at: NOW,
        actor: 'U0BOB',
        action: 'refused.deploy',
        app: 'backend',
        environment: 'staging',
        detail: 'only <!subteam^S0DEPLOYERS> may deploy to staging',
      },
    ]);
    assert.ok(!('releaseId' in (audit.entries[0] as object)));
  });

  it("asks the group lookup about the rule's principals for that user", async () => {
    const groups = new StubGroups(MEMBERSHIP);
    const authorizer = new Authorizer(groups, new RecordingAuditLog(), clock);
    await authorizer.check('approve', 'U0ALICE', {
      app: 'backend',
      environment: 'production',
      config: environment({ deployers: ['S0DEPLOYERS'], approvers: ['U0APPROVER', 'S0LEADS'] }),
    });
    assert.deepEqual(groups.asked, [{ userId: 'U0ALICE', candidates: ['U0APPROVER', 'S0LEADS'] }]);
  });

  it('uses the production rules of the test config: only S0DEPLOYERS deploy, only U0APPROVER approves', async () => {
    const production = testConfig().apps.backend?.environments.production;
    assert.ok(production);
    const audit = new RecordingAuditLog();
    const authorizer = new Authorizer(new StubGroups(MEMBERSHIP), audit, clock);
    const target = { app: 'backend', environment: 'production', config: production };
    assert.equal((await authorizer.check('deploy', 'U0ALICE', target)).allowed, true);
    assert.equal((await authorizer.check('deploy', 'U0BOB', target)).allowed, false);
    assert.equal((await authorizer.check('approve', 'U0APPROVER', target)).allowed, true);
    assert.equal((await authorizer.check('approve', 'U0ALICE', target)).allowed, false);
    assert.deepEqual(
      audit.entries.map((e) => [e.actor, e.action]),
      [
        ['U0BOB', 'refused.deploy'],
        ['U0ALICE', 'refused.approve'],
      ],
    );
  });
});

describe('decide', () => {
  const open: Rule = { principals: [], emptyMeans: 'everyone' };
  const closed: Rule = { principals: [], emptyMeans: 'no-one' };
  const listed = (...principals: string[]): Rule => ({ principals, emptyMeans: 'no-one' });

  const CASES: { name: string; rule: Rule; user: string; groups: string[]; expected: Decision }[] = [
    {
      name: 'allows anyone when the list is empty and empty means everyone',
      rule: open,
      user: 'U1',
      groups: [],
      expected: { allowed: true, because: 'anyone may do it' },
    },
    {
      name: 'refuses everyone when the list is empty and empty means no-one',
      rule: closed,
      user: 'U1',
      groups: ['S1'],
      expected: { allowed: false, because: 'nobody is configured to do it' },
    },
    {
      name: 'allows a user listed by id',
      rule: listed('U1'),
      user: 'U1',
      groups: [],
      expected: { allowed: true, because: '<@U1> is listed for do it' },
    },
    {
      name: 'allows a W… (enterprise) user listed by id',
      rule: listed('W1'),
      user: 'W1',
      groups: [],
      expected: { allowed: true, because: '<@W1> is listed for do it' },
    },
    {
      name: 'allows a member of a listed group, naming the first listed group the user is in',
      rule: listed('U9', 'S1', 'S2'),
      user: 'U1',
      groups: ['S2', 'S1'],
      expected: { allowed: true, because: 'member of <!subteam^S1>' },
    },
    {
      name: 'prefers the direct listing over a group',
      rule: listed('S1', 'U1'),
      user: 'U1',
      groups: ['S1'],
      expected: { allowed: true, because: '<@U1> is listed for do it' },
    },
    {
      name: 'ignores groups the user is in that the rule does not list',
      rule: listed('S1'),
      user: 'U1',
      groups: ['S2'],
      expected: { allowed: false, because: 'only <!subteam^S1> may do it' },
    },
    {
      name: 'refuses with every principal named, in order',
      rule: listed('U9', 'S1', 'W2'),
      user: 'U1',
      groups: [],
      expected: { allowed: false, because: 'only <@U9>, <!subteam^S1>, <@W2> may do it' },
    },
    {
      name: 'is not fooled by a user id that is a prefix of a listed one',
      rule: listed('U12'),
      user: 'U1',
      groups: [],
      expected: { allowed: false, because: 'only <@U12> may do it' },
    },
  ];

  for (const { name, rule, user, groups, expected } of CASES) {
    it(name, () => {
      assert.deepEqual(decide(rule, user, groups, 'do it'), expected);
    });
  }
});

describe('mention', () => {
  const CASES: [string, string][] = [
    ['U0ALICE', '<@U0ALICE>'],
    ['W0GUEST', '<@W0GUEST>'],
    ['S0DEPLOYERS', '<!subteam^S0DEPLOYERS>'],
  ];
  for (const [principal, expected] of CASES) {
    it(`writes ${principal} as ${expected}`, () => {
      assert.equal(mention(principal), expected);
    });
  }
});
