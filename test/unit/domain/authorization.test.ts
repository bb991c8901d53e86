import assert from 'node:assert/strict';
import { decide, mention, person, unlockRule } from '../../../src/domain/authorization';

describe('who may unlock (unlockRule), in the rule’s own words', () => {
  const production = { approvers: ['S0TEAMLEADS'], deployers: ['S0DEPLOYERS'] };
  const staging = { approvers: [], deployers: [] };
  const stagingWithDeployers = { approvers: [], deployers: ['U0DEPLOYER'] };

  it('is the approvers’ call where the environment names approvers; a deployer alone is refused', () => {
    const refused = decide(unlockRule(production), 'U0DEPLOYER', ['S0DEPLOYERS'], 'unlock production');
    assert.deepEqual(refused, {
      allowed: false,
      because: 'only <!subteam^S0TEAMLEADS> may unlock production',
    });
    const allowed = decide(unlockRule(production), 'U0LEAD', ['S0TEAMLEADS'], 'unlock production');
    assert.equal(allowed.allowed, true);
  });

  it('falls to the deployers where nobody approves, so such an environment can still be unlocked', () => {
    assert.equal(decide(unlockRule(staging), 'U0ANYONE', [], 'unlock staging').allowed, true);
    assert.deepEqual(decide(unlockRule(stagingWithDeployers), 'U0OUTSIDER', [], 'unlock staging'), {
      allowed: false,
      because: 'only <@U0DEPLOYER> may unlock staging',
    });
  });
});

describe('person: people as mentions', () => {
  const CASES: [string, string][] = [
    ['U0REQUESTER', '<@U0REQUESTER>'],
    ['W0ENTERPRISE', '<@W0ENTERPRISE>'],
    ['S0TEAMLEADS', '<!subteam^S0TEAMLEADS>'],
    ['deploybot', 'deploybot'],
    ['cli:alice', 'cli:alice'],
  ];
  for (const [id, shown] of CASES) {
    it(`shows ${id} as ${shown}`, () => {
      assert.equal(person(id), shown);
    });
  }

  it('agrees with mention for every Slack id', () => {
    assert.equal(person('U0X1'), mention('U0X1'));
  });
});
