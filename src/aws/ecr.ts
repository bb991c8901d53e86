import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { StepFailure } from '../domain/errors';
import type { ImageDetails, ImageRef, ImageRegistry } from '../ports/image-registry';

/**
 * Images on ECR: whether a tag exists and when it was pushed. The registry's
 * region comes from the image URI, not from deploybot's own region, so clients
 * are made per region on first use.
 */
export class EcrImageRegistry implements ImageRegistry {
  private readonly clients = new Map<string, ECRClient>();

  constructor(private readonly clientForRegion: (region: string) => ECRClient) {}

  /** Whether the tag exists, for callers that need no more (the sandbox's checks). */
  async imageExists(image: ImageRef): Promise<boolean> {
    return (await this.describeImage(image)) !== undefined;
  }

  async describeImage(image: ImageRef): Promise<ImageDetails | undefined> {
    try {
      const out = await this.client(image.region).send(
        new DescribeImagesCommand({
          registryId: image.registryId,
          repositoryName: image.repository,
          imageIds: [{ imageTag: image.tag }],
        }),
      );
      const detail = out.imageDetails?.[0];
      if (!detail) return undefined;
      return detail.imagePushedAt ? { pushedAt: detail.imagePushedAt.getTime() } : {};
    } catch (err) {
      const name = err instanceof Error ? err.name : undefined;
      if (name === 'ImageNotFoundException') return undefined;
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
