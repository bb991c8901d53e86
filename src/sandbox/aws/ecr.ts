import { AwsError, invalidParameter, notModelled } from './errors';
import { decodeToken, encodeToken, sha256 } from './ids';
import type { JsonInput } from './json-input';
import { epochSeconds, type JsonService } from './json-protocol';

/**
 * ECR repositories of the emulated account: which tags exist. Every tag is its
 * own image (digest derived from repository and tag); pushing a tag again
 * replaces it, as `docker push` of new content would.
 */
interface ImageRecord {
  tag: string;
  digest: string;
  pushedAt: number;
  sizeBytes: number;
}

export class EcrRegistry {
  readonly repositories = new Map<string, { createdAt: number; images: Map<string, ImageRecord> }>();

  constructor(
    private readonly accountId: string,
    private readonly now: () => number,
  ) {}

  push(repository: string, tag: string, at = this.now()): void {
    let repo = this.repositories.get(repository);
    if (!repo) {
      repo = { createdAt: at, images: new Map() };
      this.repositories.set(repository, repo);
    }
    const digest = `sha256:${sha256(`${repository}:${tag}:${at}`)}`;
    // Stable-looking sizes between 80 and 200 MB.
    const sizeBytes = 80_000_000 + (parseInt(digest.slice(7, 13), 16) % 120_000_000);
    repo.images.set(tag, { tag, digest, pushedAt: at, sizeBytes });
  }

  hasTag(repository: string, tag: string): boolean {
    return this.repositories.get(repository)?.images.has(tag) ?? false;
  }

  service(): JsonService {
    return {
      name: 'ecr',
      title: 'ECR',
      targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
      operations: {
        DescribeImages: {
          accepts: ['registryId', 'repositoryName', 'imageIds', 'filter', 'maxResults', 'nextToken'],
          run: (input) => this.describeImages(input),
        },
      },
    };
  }

  private describeImages(input: JsonInput): object {
    const registryId = input.string('registryId') ?? this.accountId;
    const name = input.requiredString('repositoryName');
    const repo = registryId === this.accountId ? this.repositories.get(name) : undefined;
    if (!repo) {
      throw new AwsError(
        'RepositoryNotFoundException',
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
      );
    }
    const detail = (image: ImageRecord) => ({
      registryId,
      repositoryName: name,
      imageDigest: image.digest,
      imageTags: [image.tag],
      imageSizeInBytes: image.sizeBytes,
      imagePushedAt: epochSeconds(image.pushedAt),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      artifactMediaType: 'application/vnd.docker.container.image.v1+json',
    });

    const ids = input.objects('imageIds');
    if (ids !== undefined) {
      if (
        input.body.filter !== undefined ||
        input.body.nextToken !== undefined ||
        input.body.maxResults !== undefined
      ) {
        throw invalidParameter('imageIds cannot be combined with filter, nextToken or maxResults');
      }
      const images = [...repo.images.values()];
      return {
        imageDetails: ids.map((id) => {
          const image = images.find(
            (i) =>
              (id.imageTag === undefined || i.tag === id.imageTag) &&
              (id.imageDigest === undefined || i.digest === id.imageDigest),
          );
          if (!image || (id.imageTag === undefined && id.imageDigest === undefined)) {
            throw new AwsError(
              'ImageNotFoundException',
              `The image with imageId {imageDigest:'${String(id.imageDigest ?? 'null')}', imageTag:'${String(id.imageTag ?? 'null')}'} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
            );
          }
          return detail(image);
        }),
      };
    }

    const filter = input.object('filter');
    if (filter !== undefined && (Object.keys(filter).length !== 1 || filter.tagStatus === undefined)) {
      throw notModelled('ECR', 'a DescribeImages filter other than tagStatus', true);
    }
    // Every emulated image is tagged, so UNTAGGED finds nothing.
    const all = filter?.tagStatus === 'UNTAGGED' ? [] : [...repo.images.values()];
    const max = input.number('maxResults') ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 1000)
      throw invalidParameter('maxResults must be between 1 and 1000');
    const query = { name, filter };
    const token = input.string('nextToken');
    const offset = token === undefined ? 0 : decodeToken(token, query);
    if (offset === undefined)
      throw invalidParameter("Invalid parameter at 'nextToken' failed to satisfy constraint");
    const page = all.slice(offset, offset + max);
    const next = offset + page.length;
    return {
      imageDetails: page.map(detail),
      ...(next < all.length && { nextToken: encodeToken(next, query) }),
    };
  }
}
