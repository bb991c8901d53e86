import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { StepFailure } from '../domain/errors';
import type { ImageRef, ImageRegistry } from '../ports/image-registry';

/**
 * Image existence on ECR. The registry's region comes from the image URI, not from
 * deploybot's own region, so clients are made per region on first use.
 */
export class EcrImageRegistry implements ImageRegistry {
  private readonly clients = new Map<string, ECRClient>();

  constructor(private readonly clientForRegion: (region: string) => ECRClient) {}

  async imageExists(image: ImageRef): Promise<boolean> {
    try {
      const out = await this.client(image.region).send(
        new DescribeImagesCommand({
          registryId: image.registryId,
          repositoryName: image.repository,
          imageIds: [{ imageTag: image.tag }],
        }),
      );
      return (out.imageDetails ?? []).length > 0;
    } catch (err) {
      const name = err instanceof Error ? err.name : undefined;
      if (name === 'ImageNotFoundException') return false;
      if (name === 'RepositoryNotFoundException') {
        throw new StepFailure(
          'repository_not_found',
          `ECR repository ${image.repository} not found in registry ${image.registryId} (${image.region})`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  private client(region: string): ECRClient {
    let client = this.clients.get(region);
    if (!client) {
      client = this.clientForRegion(region);
      this.clients.set(region, client);
    }
    return client;
  }
}
