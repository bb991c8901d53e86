import assert from 'node:assert/strict';
import {
  DescribeImagesCommand,
  ECRClient,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { EcrImageRegistry } from '../../../src/aws/ecr';
import type { ImageRef } from '../../../src/ports/image-registry';

const IMAGE: ImageRef = {
  registryId: '123456789012',
  region: 'eu-west-1',
  repository: 'shop/web',
  tag: '1.2.0',
};

describe('EcrImageRegistry', () => {
  // Mocking the class mocks every instance, so clients made by the factory are covered.
  // It is mocked only while these tests run: a class-wide mock made when mocha loads this
  // file would answer every other file's ECR calls too.
  let ecr = mockClient(ECRClient);
  ecr.restore();
  before(() => {
    ecr = mockClient(ECRClient);
  });
  let made: string[];
  let registry: EcrImageRegistry;

  beforeEach(() => {
    ecr.reset();
    made = [];
    registry = new EcrImageRegistry((region) => {
      made.push(region);
      return new ECRClient({ region });
    });
  });
  after(() => ecr.restore());

  it('asks the registry account for exactly that repository and tag', async () => {
    ecr
      .on(DescribeImagesCommand)
      .resolves({ imageDetails: [{ imageTags: ['1.2.0'], imageDigest: 'sha256:abc' }] });

    assert.equal(await registry.imageExists(IMAGE), true);
    assert.deepEqual(ecr.commandCall(0, DescribeImagesCommand).args[0].input, {
      registryId: '123456789012',
      repositoryName: 'shop/web',
      imageIds: [{ imageTag: '1.2.0' }],
    });
  });

  it('describes the image with its push time in epoch ms', async () => {
    ecr.on(DescribeImagesCommand).resolves({
      imageDetails: [{ imageTags: ['1.2.0'], imagePushedAt: new Date('2026-11-30T09:15:00.250Z') }],
    });

    assert.deepEqual(await registry.describeImage(IMAGE), {
      pushedAt: Date.parse('2026-11-30T09:15:00.250Z'),
    });
  });

  it('describes an image without a push time as found, with nothing more', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ['1.2.0'] }] });

    assert.deepEqual(await registry.describeImage(IMAGE), {});
  });

  it('describes a missing image as undefined', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));

    assert.equal(await registry.describeImage(IMAGE), undefined);
  });

  it('answers false for an empty answer', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [] });

    assert.equal(await registry.imageExists(IMAGE), false);
  });

  it('answers false when ECR says the image is not found', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'not found', $metadata: {} }));

    assert.equal(await registry.imageExists(IMAGE), false);
  });

  it('fails the step when the repository does not exist', async () => {
    ecr
      .on(DescribeImagesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'no such repository', $metadata: {} }));

    await assert.rejects(registry.imageExists(IMAGE), {
      name: 'StepFailure',
      code: 'repository_not_found',
      message: /shop\/web.*123456789012/,
    });
  });

  it('passes other errors through for the caller to classify', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    ecr.on(DescribeImagesCommand).rejects(throttled);

    await assert.rejects(registry.imageExists(IMAGE), throttled);
  });

  it('makes one client per region, in the region of the image', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{}] });

    await registry.imageExists(IMAGE);
    await registry.imageExists({ ...IMAGE, tag: '1.2.1' });
    await registry.imageExists({ ...IMAGE, region: 'us-east-1' });

    assert.deepEqual(made, ['eu-west-1', 'us-east-1']);
  });
});
