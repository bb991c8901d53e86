import { AwsError, invalidParameter } from './errors';
import { isObject } from './json-input';
import { epochSeconds } from './json-protocol';

/**
 * Registered task definitions. A revision keeps exactly the members it was
 * registered with (so a describe → register copy round-trips every field) plus
 * what ECS computes: ARN, revision, status, compatibilities, registeredAt/By.
 */
export interface EcsTag {
  key: string;
  value: string;
}

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  registeredAt: number;
  body: Record<string, unknown>;
  tags: EcsTag[];
}

export interface ContainerView {
  name: string;
  image: string;
  command: string[];
  essential: boolean;
  log?: { group: string; prefix?: string };
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

export class TaskDefinitions {
  private readonly byArn = new Map<string, TaskDefinitionRecord>();
  private readonly latest = new Map<string, number>();

  constructor(
    private readonly region: string,
    private readonly account: string,
    private readonly now: () => number,
  ) {}

  register(body: Record<string, unknown>, tags: EcsTag[]): TaskDefinitionRecord {
    const family = body.family;
    if (typeof family !== 'string' || !FAMILY.test(family)) {
      throw new AwsError('ClientException', 'Family contains invalid characters or is empty.');
    }
    const containers = body.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0) {
      throw new AwsError('ClientException', 'Container list cannot be empty.');
    }
    for (const c of containers) {
      if (!isObject(c) || typeof c.name !== 'string' || c.name === '') {
        throw new AwsError('ClientException', 'Container.name should not be null or empty.');
      }
      if (typeof c.image !== 'string' || c.image === '') {
        throw new AwsError('ClientException', 'Container.image should not be null or empty.');
      }
    }
    const fargate =
      Array.isArray(body.requiresCompatibilities) && body.requiresCompatibilities.includes('FARGATE');
    if (fargate && body.networkMode !== 'awsvpc') {
      throw new AwsError('ClientException', "Fargate only supports network mode 'awsvpc'.");
    }
    if (tags.some((t) => t.key.startsWith('aws:'))) {
      throw invalidParameter('Tag keys beginning with aws: are reserved for system use.');
    }
    const revision = (this.latest.get(family) ?? 0) + 1;
    const record: TaskDefinitionRecord = {
      arn: `arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:${revision}`,
      family,
      revision,
      registeredAt: this.now(),
      body: structuredClone(body),
      tags: tags.map((t) => ({ key: t.key, value: t.value })),
    };
    this.byArn.set(record.arn, record);
    this.latest.set(family, revision);
    return record;
  }

  /** Seeding starts a family at a given revision, like an account with history. */
  startFamilyAt(family: string, revision: number): void {
    this.latest.set(family, Math.max(0, revision - 1));
  }

  /** A full ARN, `family:revision`, or `family` (its latest revision). */
  resolve(ref: string): TaskDefinitionRecord | undefined {
    const marker = ref.indexOf(':task-definition/');
    if (ref.startsWith('arn:') && marker < 0) return undefined;
    const short = ref.startsWith('arn:') ? ref.slice(marker + ':task-definition/'.length) : ref;
    const [family, rev, extra] = short.split(':');
    if (extra !== undefined) return undefined;
    if (family === undefined) return undefined;
    const revision = rev === undefined ? this.latest.get(family) : Number(rev);
    if (revision === undefined || !Number.isInteger(revision)) return undefined;
    return this.byArn.get(`arn:aws:ecs:${this.region}:${this.account}:task-definition/${family}:${revision}`);
  }

  require(ref: string): TaskDefinitionRecord {
    const record = this.resolve(ref);
    // ECS answers an unknown family, revision or ARN with this ClientException.
    if (!record) throw new AwsError('ClientException', 'Unable to describe task definition.');
    return record;
  }

  containers(record: TaskDefinitionRecord): ContainerView[] {
    const list = record.body.containerDefinitions as Record<string, unknown>[];
    return list.map((c) => {
      const log = isObject(c.logConfiguration) ? c.logConfiguration : undefined;
      const options = log && isObject(log.options) ? (log.options as Record<string, string>) : {};
      const group = log?.logDriver === 'awslogs' ? options['awslogs-group'] : undefined;
      return {
        name: c.name as string,
        image: c.image as string,
        command: Array.isArray(c.command) ? (c.command as string[]) : [],
        essential: c.essential !== false,
        ...(group !== undefined && { log: { group, prefix: options['awslogs-stream-prefix'] } }),
      };
    });
  }

  /** The container whose image says what the service runs: the first essential one. */
  mainContainer(record: TaskDefinitionRecord): ContainerView {
    const containers = this.containers(record);
    return (containers.find((c) => c.essential) ?? containers[0]) as ContainerView;
  }

  toJson(record: TaskDefinitionRecord): Record<string, unknown> {
    const requires = record.body.requiresCompatibilities;
    const fargate = Array.isArray(requires) && requires.includes('FARGATE');
    return {
      ...structuredClone(record.body),
      taskDefinitionArn: record.arn,
      revision: record.revision,
      status: 'ACTIVE',
      requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }],
      compatibilities: fargate ? ['EC2', 'FARGATE'] : ['EC2'],
      registeredAt: epochSeconds(record.registeredAt),
      registeredBy: `arn:aws:iam::${this.account}:root`,
    };
  }
}
