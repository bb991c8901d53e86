import type { EnvironmentConfig } from '../config/schema';
import { decide, unlockRule, type Action, type Decision, type Rule } from '../domain/authorization';
import type { AuditLog } from '../ports/audit-log';
import type { Clock } from '../ports/clock';

export interface GroupLookup {
  groupsOf(userId: string, candidates: readonly string[]): Promise<string[]>;
}

const WHAT: Record<Action, (environment: string) => string> = {
  deploy: (env) => `deploy to ${env}`,
  approve: (env) => `approve rollbacks in ${env}`,
  tick: (env) => `tick the ${env} checklist`,
  unlock: (env) => `unlock ${env}`,
  override: (env) => `override ${env}'s release windows and freezes (--override)`,
};

function ruleFor(action: Action, env: EnvironmentConfig): Rule {
  switch (action) {
    case 'deploy':
      return { principals: env.deployers, emptyMeans: 'everyone' };
    case 'approve':
      return { principals: env.approvers, emptyMeans: 'no-one' };
    case 'tick':
      return { principals: env.checklist.tickers, emptyMeans: 'everyone' };
    case 'unlock':
      return unlockRule(env);
    case 'override':
      // Break-glass is never open to everyone: nobody may until someone is named.
      return { principals: env.overriders, emptyMeans: 'no-one' };
  }
}

/** Decides who may act on an app's environment, and audits every refusal. */
export class Authorizer {
  constructor(
    private readonly groups: GroupLookup,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async check(
    action: Action,
    userId: string,
    target: { app: string; environment: string; config: EnvironmentConfig },
    releaseId?: string,
  ): Promise<Decision> {
    const rule = ruleFor(action, target.config);
    const groups = await this.groups.groupsOf(userId, rule.principals);
    const decision = decide(rule, userId, groups, WHAT[action](target.environment));
    if (!decision.allowed) {
      await this.audit.append({
        at: this.clock.now(),
        actor: userId,
        action: `refused.${action}`,
        app: target.app,
        environment: target.environment,
        ...(releaseId ? { releaseId } : {}),
        detail: decision.because,
      });
    }
    return decision;
  }
}
