/**
 * The deploybot.yaml of the scale benchmark: one production environment per
 * app of the many-app seed (its cluster's web and worker services, its own
 * database, its web log group, health from its simulated service), its
 * releases announced in its team's channel (BENCH_SCALE_APPS_PER_CHANNEL apps
 * share one; all in one channel is the worst case for Slack's per-channel
 * pacing), with a monitoring window of minutes, not the chaos tests' seconds.
 */
import type { ManyApp } from '../../src/sandbox/aws/seed-many';

export interface ScaleWindows {
  /** Monitoring window and sampling interval (ms). */
  windowMs: number;
  intervalMs: number;
}

export const REQUESTER = 'U0REQUESTER';
const APPROVERS = ['U0APPROVER', 'U0DEPLOYER'];

/** The k-th team channel of the fake workspace (ScaleSystem.channelOf deals apps to them). */
export function teamChannel(index: number): { id: string; name: string } {
  return { id: `C0TEAM${String(index).padStart(3, '0')}`, name: `team-${index}` };
}

export function scaleConfigYaml(
  apps: readonly { app: ManyApp; healthUrl: string; channel: string }[],
  w: ScaleWindows,
): string {
  const ms = (n: number) => `${Math.round(n)}ms`;
  const environment = (app: ManyApp, healthUrl: string, channel: string) => ({
    channel,
    cluster: app.cluster,
    services: [
      { name: app.web.service, containers: [app.web.container] },
      { name: app.worker.service, containers: [app.worker.container] },
    ],
    database: { instance: app.database },
    logs: { group: app.web.logGroup, errorPattern: 'ERROR' },
    health: {
      url: healthUrl,
      endpoints: ['/health', '/health/ready'],
      timeout: '2s',
      attempts: 3,
      interval: '1s',
    },
    monitoring: {
      window: ms(w.windowMs),
      interval: ms(w.intervalMs),
      extendedWindow: ms(w.windowMs * 2),
      extendedInterval: ms(w.intervalMs * 2),
      rollbackWindow: ms(w.windowMs / 2),
      probes: 2,
      baselineProbes: 4,
      postEvery: 4,
      followUps: ['1h'],
      reviewAfter: '1h',
      loadBalancers: 'off',
    },
    rollback: { twoPersonRule: true, remindAfter: '30m', postmortemAfter: '1h' },
    timeouts: { backup: '5m', deploy: '5m' },
    deployers: [REQUESTER, ...APPROVERS],
    approvers: APPROVERS,
  });
  // The engine keeps deploybot's defaults (poll every 15 s, Logs budget 4 req/s): what a team runs.
  // JSON is YAML: it goes through the same parser and validation as deploybot.yaml.
  return JSON.stringify({
    slack: { channel: 'engineering' },
    engine: { lockTtl: '10m', startTimeout: '30m', concurrency: 50 },
    apps: Object.fromEntries(
      apps.map(({ app, healthUrl, channel }) => [
        app.name,
        { environments: { production: environment(app, healthUrl, channel) } },
      ]),
    ),
  });
}
