import { createAwsClients, type AwsClients } from '../../../src/aws/clients';
import { AwsEmulator, type AwsEmulatorOptions } from '../../../src/sandbox/aws';

/**
 * Real SDK clients pointed at an AwsEmulator purely through the environment, as
 * deploybot itself would be: AWS_ENDPOINT_URL_<SERVICE>, region and (fake)
 * credentials. Everything touched is restored afterwards.
 */
const TOUCHED = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_ECS',
  'AWS_ENDPOINT_URL_ECR',
  'AWS_ENDPOINT_URL_RDS',
  'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
  'AWS_ENDPOINT_URL_CLOUDWATCH',
  'AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_PROFILE',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

export function fakeClock(start = 1_764_000_000_000): FakeClock {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export interface AwsHarness {
  emulator: AwsEmulator;
  clients: AwsClients;
  clock: FakeClock;
  close(): Promise<void>;
}

export async function startAwsHarness(options: Omit<AwsEmulatorOptions, 'now'> = {}): Promise<AwsHarness> {
  const clock = fakeClock();
  const emulator = new AwsEmulator({ ...options, now: clock.now });
  await emulator.start();
  const saved = new Map(TOUCHED.map((k) => [k, process.env[k]]));
  for (const key of TOUCHED) delete process.env[key];
  Object.assign(process.env, emulator.environment(), {
    // Built at run time: any value works, the emulator does not check signatures.
    AWS_ACCESS_KEY_ID: ['AKIA', 'SANDBOX', 'TEST0001'].join(''),
    AWS_SECRET_ACCESS_KEY: `sandbox-${Date.now().toString(36)}`,
  });
  const clients = createAwsClients();
  return {
    emulator,
    clients,
    clock,
    async close() {
      for (const client of [clients.ecs, clients.rds, clients.logs, clients.cloudwatch, clients.elbv2]) client.destroy();
      for (const [key, value] of saved) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await emulator.stop();
    },
  };
}
