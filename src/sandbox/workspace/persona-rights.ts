import { decide, unlockRule, type Rule } from '../../domain/authorization';
import type { Persona } from './personas';

/** The parts of an environment's configuration that say who may do what (an EnvironmentConfig has them). */
export interface PeopleRules {
  deployers: readonly string[];
  approvers: readonly string[];
  checklist: { tickers: readonly string[] };
  rollback: { twoPersonRule: boolean };
}

/**
 * What each persona may do in one environment, decided by the same rules the
 * bot applies (src/domain/authorization.ts), so the switch on the page can never
 * teach something the bot then refuses. `groups` are the workspace's user groups
 * (id → members), for rules that name a group.
 */
export function withRights(
  personas: readonly Persona[],
  env: PeopleRules,
  groups: Readonly<Record<string, readonly string[]>> = {},
): Persona[] {
  const rules: [string, Rule][] = [
    // `deployers` also decides Start, cancel and lock; unlock is below.
    ['deploy & start', { principals: env.deployers, emptyMeans: 'everyone' }],
    ['tick', { principals: env.checklist.tickers, emptyMeans: 'everyone' }],
    [
      env.rollback.twoPersonRule ? 'approve rollbacks (not of own releases)' : 'approve rollbacks',
      { principals: env.approvers, emptyMeans: 'no-one' },
    ],
    // The lock a rollback leaves (deploybot's own) is lifted by whom unlockRule names.
    ['unlock', unlockRule(env)],
  ];
  return personas.map((persona) => {
    const memberOf = Object.keys(groups).filter((id) => groups[id]?.includes(persona.id));
    const may = rules
      .filter(([what, rule]) => decide(rule, persona.id, memberOf, what).allowed)
      .map(([what]) => what);
    return { ...persona, may };
  });
}
