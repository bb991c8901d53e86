/**
 * Images in a registry. Implemented on ECR (src/aws/ecr.ts).
 * `registryId` is the AWS account of the registry (from the image URI).
 */
export interface ImageRef {
  registryId: string;
  region: string;
  repository: string;
  tag: string;
}

/** What the registry says about a pushed image. */
export interface ImageDetails {
  /** When the tag was pushed (epoch ms): the start of DORA's lead time when nothing better is known. */
  pushedAt?: number;
}

export interface ImageRegistry {
  /** The image's details, or undefined when the tag is not in the repository. */
  describeImage(image: ImageRef): Promise<ImageDetails | undefined>;
}
