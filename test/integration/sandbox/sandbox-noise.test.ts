import assert from 'node:assert/strict';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import pino from 'pino';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { AwsEmulator } from '../../../src/sandbox/aws';
import { BACKEND_TARGET, startSandbox, type Sandbox } from '../../../src/sandbox/sandbox';
import { sandboxConfig } from '../../../src/sandbox/sandbox-config';
import type { LoadBalancedRequest } from '../../../src/sandbox/service/service-backend';

const GROUP = '/ecs/social-analytics-backend';

/** Waits, turn by turn of the event loop, until `condition` holds (mocha's timeout bounds it). */
async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Reads a dotted JSON field path, as the bot's access-log reader does. */
function field(record: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], record);
}

describe('the sandbox serves ordinary noise to the bot it monitors', function () {
  this.timeout(60_000);
  let sandbox: Sandbox | undefined;
  let stopped = false;
  let logs: CloudWatchLogs;
  const recorded: LoadBalancedRequest[] = [];
  const realRecord = Object.getOwnPropertyDescriptor(AwsEmulator.prototype, 'recordRequest');

  const started = (): Sandbox => {
    assert.ok(sandbox, 'the sandbox started');
    return sandbox;
  };

  before(async () => {
    // Watches what the users report to the load balancer, then passes it on unchanged.
    const original = AwsEmulator.prototype.recordRequest;
    AwsEmulator.prototype.recordRequest = function (this: AwsEmulator, r: LoadBalancedRequest) {
      recorded.push(r);
      original.call(this, r);
    };
    sandbox = await startSandbox({ uiPort: 0, logger: pino({ level: 'silent' }) });
    logs = new CloudWatchLogs(
      new CloudWatchLogsClient({
        endpoint: started().emulator.endpoint,
        region: started().emulator.seed.region,
        credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
      }),
    );
  });

  after(async () => {
    if (realRecord) Object.defineProperty(AwsEmulator.prototype, 'recordRequest', realRecord);
    if (!stopped) await sandbox?.stop();
  });

  it("writes the users' requests as access lines the configured JSON fields read", async () => {
    const config = sandboxConfig('http://127.0.0.1:1');
    const accessLogs = config.apps.backend?.environments.production?.monitoring.accessLogs;
    assert.ok(accessLogs && 'json' in accessLogs, 'the sandbox configures JSON access logs');
    const { emulator } = started();
    const since = emulator.now() - 1;
    let requests: unknown[] = [];
    await until(async () => {
      const events = await logs.events(GROUP, since, emulator.now() + 1);
      requests = events.filter((e) => e.message.startsWith('{')).map((e) => JSON.parse(e.message) as unknown);
      return requests.length >= 40;
    });
    for (const request of requests) {
      assert.equal(typeof field(request, accessLogs.json.status), 'number');
      assert.equal(typeof field(request, accessLogs.json.latency), 'number');
    }
  });

  it("reports each request to the backend's target group", async () => {
    await until(() => recorded.length >= 40);
    assert.ok(
      recorded.every(
        (r) => r.targetGroup === BACKEND_TARGET.targetGroup && r.loadBalancer === BACKEND_TARGET.loadBalancer,
      ),
    );
    assert.equal(BACKEND_TARGET.targetGroup, 'targetgroup/backend-tg/6d0ecf831eec9f09');
    assert.equal(BACKEND_TARGET.loadBalancer, 'app/social-analytics-alb/50dc6c495c0c9188');
  });

  it('stops its users with the sandbox', async () => {
    const running = started();
    assert.equal(running.traffic.running, true);
    stopped = true;
    await running.stop();
    assert.equal(running.traffic.running, false);
  });
});
