import assert from 'node:assert/strict';
import { parseEcrImage, withTag } from '../../../src/aws/image-uri';

const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('parseEcrImage', () => {
  it('parses account, region, repository and tag of an ECR image', () => {
    assert.deepEqual(parseEcrImage(`${ECR}/web:1.2.0`), {
      registryId: '123456789012',
      region: 'eu-west-1',
      repository: 'web',
      tag: '1.2.0',
    });
  });

  it('keeps nested repository paths whole', () => {
    assert.equal(
      parseEcrImage(`${ECR}/shop/backend/web-api:v1.2.0-rc.1`)?.repository,
      'shop/backend/web-api',
    );
  });

  it('understands FIPS and China registries', () => {
    assert.equal(
      parseEcrImage('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web:1')?.region,
      'us-gov-west-1',
    );
    assert.equal(
      parseEcrImage('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1')?.region,
      'cn-north-1',
    );
  });

  it('answers undefined for an image without a tag', () => {
    assert.equal(parseEcrImage(`${ECR}/web`), undefined);
  });

  it('answers undefined for an image pinned by digest, with or without a tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    assert.equal(parseEcrImage(`${ECR}/web@${digest}`), undefined);
    assert.equal(parseEcrImage(`${ECR}/web:1.2.0@${digest}`), undefined);
  });

  it('answers undefined for images outside ECR', () => {
    for (const image of [
      'nginx:1.27',
      'public.ecr.aws/datadog/agent:7',
      'ghcr.io/acme/web:1.2.0',
      'localhost:5000/web:1',
      '12345.dkr.ecr.eu-west-1.amazonaws.com/web:1',
      `${ECR}.evil.example/web:1`,
    ]) {
      assert.equal(parseEcrImage(image), undefined, image);
    }
  });
});

describe('withTag', () => {
  it('replaces the tag of a tagged image', () => {
    assert.equal(withTag(`${ECR}/shop/web:1.1.0`, '1.2.0'), `${ECR}/shop/web:1.2.0`);
  });

  it('adds a tag to an image without one', () => {
    assert.equal(withTag('nginx', '1.27'), 'nginx:1.27');
    assert.equal(withTag(`${ECR}/shop/web`, '1.2.0'), `${ECR}/shop/web:1.2.0`);
  });

  it('does not mistake a registry port for a tag', () => {
    assert.equal(withTag('localhost:5000/app', '2'), 'localhost:5000/app:2');
    assert.equal(withTag('localhost:5000/app:1', '2'), 'localhost:5000/app:2');
    assert.equal(withTag('registry.example:443/team/app:1', '2'), 'registry.example:443/team/app:2');
  });

  it('drops a digest, which would otherwise pin the old image', () => {
    const digest = `sha256:${'b'.repeat(64)}`;
    assert.equal(withTag(`${ECR}/web@${digest}`, '1.2.0'), `${ECR}/web:1.2.0`);
    assert.equal(withTag(`${ECR}/web:1.1.0@${digest}`, '1.2.0'), `${ECR}/web:1.2.0`);
  });

  it('rejects tags Docker would reject', () => {
    for (const tag of ['', '.hidden', '-x', '1.2.0+build', 'a/b', 'x'.repeat(129)]) {
      assert.throws(() => withTag('nginx', tag), { code: 'invalid_image_tag' }, tag);
    }
  });

  it('rejects an empty image', () => {
    assert.throws(() => withTag('', '1'), { code: 'invalid_image' });
  });
});
