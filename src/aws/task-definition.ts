import type {
  ContainerDefinition,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { StepFailure } from '../domain/errors';
import type { ContainerInfo, TaskDefinitionInfo } from '../ports/container-platform';

/**
 * Pure mapping between ECS task definitions and deploybot's view of them, and the
 * "same task definition, new image" copy that a release registers.
 */

export const RELEASE_TAG = 'deploybot-release';

type RegistrableField = Exclude<keyof RegisterTaskDefinitionCommandInput, 'tags'>;

/**
 * Every field RegisterTaskDefinition accepts (tags are handled separately). The
 * `satisfies` makes the compiler reject this list when the installed SDK adds or
 * removes a field, so an SDK upgrade cannot make the copy silently drop settings.
 */
const REGISTRABLE = {
  family: true,
  taskRoleArn: true,
  executionRoleArn: true,
  networkMode: true,
  containerDefinitions: true,
  volumes: true,
  placementConstraints: true,
  requiresCompatibilities: true,
  cpu: true,
  memory: true,
  pidMode: true,
  ipcMode: true,
  proxyConfiguration: true,
  inferenceAccelerators: true,
  ephemeralStorage: true,
  runtimePlatform: true,
  enableFaultInjection: true,
} as const satisfies Record<RegistrableField, true>;

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take
 * (ECS computes them). Listed so that a new read-only field in a future SDK fails
 * compilation here and gets a conscious decision instead of being ignored.
 */
export const READ_ONLY = {
  taskDefinitionArn: true,
  revision: true,
  status: true,
  requiresAttributes: true,
  compatibilities: true,
  registeredAt: true,
  registeredBy: true,
  deregisteredAt: true,
  deleteRequestedAt: true,
} as const satisfies Record<Exclude<keyof TaskDefinition, keyof RegisterTaskDefinitionCommandInput>, true>;

const REGISTRABLE_FIELDS = Object.keys(REGISTRABLE) as RegistrableField[];

function copyField<K extends RegistrableField>(
  target: Partial<RegisterTaskDefinitionCommandInput>,
  source: TaskDefinition,
  key: K,
): void {
  const value = source[key];
  // Absent stays absent: sending explicit undefined/nulls back is pointless noise.
  if (value !== undefined && value !== null) target[key] = value;
}

/**
 * The RegisterTaskDefinition input for a copy of `source` whose containers named in
 * `images` run those images; everything else is carried over unchanged.
 */
export function imageRevisionInput(
  source: TaskDefinition,
  sourceTags: Tag[],
  images: Record<string, string>,
  releaseId: string,
): RegisterTaskDefinitionCommandInput {
  const containers = source.containerDefinitions ?? [];
  const known = new Set(containers.map((c) => c.name));
  for (const name of Object.keys(images)) {
    if (!known.has(name)) {
      throw new StepFailure(
        'container_not_found',
        `task definition ${source.taskDefinitionArn ?? source.family ?? '?'} has no container "${name}" (has: ${[...known].join(', ') || 'none'})`,
      );
    }
  }

  const input: Partial<RegisterTaskDefinitionCommandInput> = {};
  for (const key of REGISTRABLE_FIELDS) copyField(input, source, key);
  input.containerDefinitions = containers.map((c): ContainerDefinition => {
    const image = c.name !== undefined ? images[c.name] : undefined;
    return image === undefined ? c : { ...c, image };
  });
  input.tags = [
    // `aws:` tags (e.g. from CloudFormation) are reserved; ECS rejects them on register.
    ...sourceTags.filter((t) => t.key !== RELEASE_TAG && !t.key?.startsWith('aws:')),
    { key: RELEASE_TAG, value: releaseId },
  ];
  return input as RegisterTaskDefinitionCommandInput;
}

function containerInfo(c: ContainerDefinition): ContainerInfo {
  const info: ContainerInfo = { name: c.name ?? '', image: c.image ?? '' };
  const log = c.logConfiguration;
  const group = log?.options?.['awslogs-group'];
  if (log?.logDriver === 'awslogs' && group !== undefined) {
    const streamPrefix = log.options?.['awslogs-stream-prefix'];
    const region = log.options?.['awslogs-region'];
    info.log = {
      group,
      ...(streamPrefix !== undefined && { streamPrefix }),
      ...(region !== undefined && { region }),
    };
  }
  return info;
}

export function toTaskDefinitionInfo(
  td: TaskDefinition | undefined,
  tags: Tag[] | undefined,
  ref: string,
): TaskDefinitionInfo {
  if (!td?.taskDefinitionArn || !td.family || td.revision === undefined) {
    throw new StepFailure('task_definition_not_found', `ECS returned no task definition for ${ref}`);
  }
  const releaseTag = tags?.find((t) => t.key === RELEASE_TAG)?.value;
  return {
    arn: td.taskDefinitionArn,
    family: td.family,
    revision: td.revision,
    containers: (td.containerDefinitions ?? []).map(containerInfo),
    ...(releaseTag !== undefined && { releaseTag }),
  };
}
