/**
 * Does an image tag exist? Implemented on ECR (src/aws/ecr.ts).
 * `registryId` is the AWS account of the registry (from the image URI).
 */
export interface ImageRef {
  registryId: string;
  region: string;
  repository: string;
  tag: string;
}

export interface ImageRegistry {
  imageExists(image: ImageRef): Promise<boolean>;
}
