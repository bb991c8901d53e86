import assert from 'node:assert/strict';
import { SANDBOX_PEOPLE, SANDBOX_WINDOWS, sandboxConfig } from '../../../src/sandbox/sandbox-config';
import { DEFAULT_PERSONAS } from '../../../src/sandbox/workspace';
import { withRights } from '../../../src/sandbox/workspace/persona-rights';
import { renderIndex } from '../../../src/sandbox/workspace/static-files';

const TEMPLATE = '<nav><!--PERSONAS--></nav><script>{{SETTINGS}}</script>';
const CHANNEL = { id: 'C0ENGINEER', name: 'engineering' };

describe('who the sandbox page says may do what', () => {
  it('is what the sandbox configuration allows: deployers start and tick, only the approver approves and unlocks, the outsider watches', () => {
    const may = Object.fromEntries(withRights(DEFAULT_PERSONAS, SANDBOX_PEOPLE).map((p) => [p.name, p.may]));
    assert.deepEqual(may, {
      Riley: ['deploy & start', 'tick'],
      Dana: ['deploy & start', 'tick'],
      Alex: ['deploy & start', 'tick', 'approve rollbacks (not of own releases)', 'unlock'],
      Sam: [],
    });
  });

  it('comes from the same rules the bot is configured with (tickers set, not open to everyone)', () => {
    const production = sandboxConfig('http://service.invalid', SANDBOX_WINDOWS).apps.backend?.environments
      .production;
    assert.ok(production);
    const tickers: readonly string[] = production.checklist.tickers;
    assert.ok(!tickers.includes('U0OUTSIDER'));
    assert.deepEqual(production.checklist.tickers, [...SANDBOX_PEOPLE.checklist.tickers]);
    assert.deepEqual(production.deployers, [...SANDBOX_PEOPLE.deployers]);
    assert.deepEqual(production.approvers, [...SANDBOX_PEOPLE.approvers]);
    assert.equal(production.rollback.twoPersonRule, SANDBOX_PEOPLE.rollback.twoPersonRule);
  });

  it('counts a user group member as its group, and an empty list as everyone (never for approvers; unlock falls back to deployers)', () => {
    const [riley] = withRights(
      [{ id: 'U0REQUESTER', name: 'Riley', role: 'requester' }],
      {
        deployers: ['S0DEPLOYERS'],
        approvers: [],
        checklist: { tickers: [] },
        rollback: { twoPersonRule: false },
      },
      { S0DEPLOYERS: ['U0REQUESTER'] },
    );
    assert.deepEqual(riley?.may, ['deploy & start', 'tick', 'unlock']);
  });

  it('shows each persona\'s rights on the switch, "watch only" for none, and nothing when unknown', () => {
    const personas = [
      ...withRights(DEFAULT_PERSONAS, SANDBOX_PEOPLE),
      { id: 'U0OTHER', name: 'Ode', role: 'visitor' },
    ];
    const html = renderIndex(TEMPLATE, { personas, channel: CHANNEL, commands: ['/deploy'] });
    assert.match(html, /data-testid="may-U0APPROVER">deploy &#38; start, tick, approve rollbacks/);
    assert.match(html, /data-testid="may-U0OUTSIDER">watch only</);
    assert.match(html, /title="Sam \(outsider\): may watch only"/);
    assert.doesNotMatch(html, /may-U0OTHER/);
  });
});
