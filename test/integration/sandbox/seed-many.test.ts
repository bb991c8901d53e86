import assert from 'node:assert/strict';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { EcrImageRegistry } from '../../../src/aws/ecr';
import { EcsContainerPlatform } from '../../../src/aws/ecs';
import { CloudWatchLogs } from '../../../src/aws/logs';
import { RdsDatabase } from '../../../src/aws/rds';
import {
  manyApp,
  manyAppNames,
  manyAppsSeed,
  MANY_RELEASE_TAGS,
  MANY_RUNNING_TAG,
} from '../../../src/sandbox/aws/seed-many';
import { startAwsHarness, type AwsHarness } from './aws-harness';

describe('AwsEmulator seeded with many apps, through the unchanged adapters', () => {
  const names = manyAppNames(3);
  let h: AwsHarness;

  beforeEach(async () => {
    h = await startAwsHarness({ seed: manyAppsSeed(3) });
  });

  afterEach(async () => {
    await h.close();
  });

  it('names the apps app-001 … and widens the number only past 999', () => {
    assert.deepEqual(names, ['app-001', 'app-002', 'app-003']);
    assert.equal(manyAppNames(1000).at(-1), 'app-1000');
    assert.equal(manyAppNames(1000)[0], 'app-0001');
  });

  it('gives each app its own cluster with its web and worker services running the seeded image', async () => {
    const ecs = new EcsContainerPlatform(h.clients.ecs);
    for (const name of names) {
      const app = manyApp(name);
      const states = await ecs.describeServices(app.cluster, [app.web.service, app.worker.service]);
      assert.deepEqual(
        states.map((s) => s.name),
        [app.web.service, app.worker.service],
      );
      for (const state of states) {
        const definition = await ecs.describeTaskDefinition(state.taskDefinition);
        assert.match(
          JSON.stringify(definition),
          new RegExp(`/${name}-(web|worker):${MANY_RUNNING_TAG.replace(/\./g, '\\.')}`),
        );
      }
    }
    // Another app's service is not in this app's cluster.
    const foreign = await h.clients.ecs.send(
      new DescribeServicesCommand({ cluster: manyApp('app-001').cluster, services: ['app-002-web'] }),
    );
    assert.deepEqual(foreign.services ?? [], []);
    assert.equal(foreign.failures?.[0]?.reason, 'MISSING');
  });

  it('gives each app its own available database and log groups', async () => {
    const rds = new RdsDatabase(h.clients.rds);
    for (const name of names) {
      assert.equal(await rds.status({ kind: 'instance', id: manyApp(name).database }), 'available');
    }
    // A missing group is an error to the adapter, so zero matches means the group is there.
    const logs = new CloudWatchLogs(h.clients.logs);
    const now = h.clock.now();
    for (const name of names) {
      const app = manyApp(name);
      h.emulator.appendLog(app.web.logGroup, 'ecs/web/1', `ERROR only in ${name}`, now);
      assert.equal(await logs.countMatches(app.web.logGroup, 'ERROR', now - 1_000, now + 1_000), 1);
      assert.equal(await logs.countMatches(app.worker.logGroup, 'ERROR', now - 1_000, now + 1_000), 0);
    }
    await assert.rejects(logs.countMatches('/ecs/app-004-web', 'ERROR', now - 1_000, now + 1_000));
  });

  it("has the release versions in every app's own repositories, as preflight looks them up", async () => {
    const ecr = new EcrImageRegistry((region) => h.clients.ecrForRegion(region));
    const image = (repository: string, tag: string) => ({
      registryId: h.emulator.seed.accountId,
      region: h.emulator.seed.region,
      repository,
      tag,
    });
    for (const name of names) {
      const app = manyApp(name);
      for (const tag of MANY_RELEASE_TAGS) {
        assert.equal(
          await ecr.imageExists(image(app.web.repository, tag)),
          true,
          `${app.web.repository}:${tag}`,
        );
        assert.equal(await ecr.imageExists(image(app.worker.repository, tag)), true);
      }
      assert.equal(await ecr.imageExists(image(app.web.repository, 'v9.9.9')), false);
    }
  });
});
