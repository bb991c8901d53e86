import assert from 'node:assert/strict';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { createAwsClients } from '../../../src/aws/clients';

describe('createAwsClients', () => {
  it('uses the given region for ECS, RDS, Logs and CloudWatch', async () => {
    const clients = createAwsClients({ region: 'eu-central-1' });

    assert.equal(await clients.ecs.config.region(), 'eu-central-1');
    assert.equal(await clients.rds.config.region(), 'eu-central-1');
    assert.equal(await clients.logs.config.region(), 'eu-central-1');
    assert.equal(await clients.cloudwatch.config.region(), 'eu-central-1');
    assert.equal(await clients.cloudwatch.config.maxAttempts(), 3);
  });

  it('falls back to the SDK’s own region resolution when none is given', async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'ap-southeast-2';
    try {
      assert.equal(await createAwsClients().ecs.config.region(), 'ap-southeast-2');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });

  it('bounds the SDK’s own retries', async () => {
    const clients = createAwsClients({ region: 'eu-central-1' });

    assert.equal(await clients.ecs.config.maxAttempts(), 3);
    assert.equal(await clients.ecrForRegion('us-east-1').config.maxAttempts(), 3);
  });

  it('makes one ECR client per region, in that region', async () => {
    const clients = createAwsClients({ region: 'eu-central-1' });

    const east = clients.ecrForRegion('us-east-1');
    assert.equal(clients.ecrForRegion('us-east-1'), east);
    assert.notEqual(clients.ecrForRegion('eu-west-1'), east);
    assert.equal(await east.config.region(), 'us-east-1');
  });

  it('sends requests where AWS_ENDPOINT_URL_ECS points, as the SDK reads it', async () => {
    const env = {
      AWS_ENDPOINT_URL_ECS: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      const { ecs } = createAwsClients({ region: 'eu-central-1' });
      let sentTo: string | undefined;
      // Stop the request just before it leaves, and look at where it was going.
      ecs.middlewareStack.add(
        () => async (args) => {
          const request = args.request as { protocol?: string; hostname?: string; port?: number };
          sentTo = `${request.protocol}//${request.hostname}:${request.port}`;
          throw new Error('stop here');
        },
        { step: 'finalizeRequest', priority: 'low' },
      );

      await assert.rejects(ecs.send(new ListClustersCommand({})), /stop here/);
      assert.equal(sentTo, 'http://127.0.0.1:4566');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
