import { AwsError, invalidParameter, notModelled } from './errors';
import type { Rollouts } from './ecs-rollouts';
import type { EcsState } from './ecs-state';
import type { EcsTag, TaskDefinitions } from './ecs-task-definitions';
import type { ServiceTasks } from './ecs-service-tasks';
import type { Tasks } from './ecs-tasks';
import { decodeToken, encodeToken } from './ids';
import { isObject, type JsonInput } from './json-input';
import type { JsonService } from './json-protocol';

/**
 * The seven ECS operations deploybot sends, validated the way ECS validates them.
 * ListTasks and DescribeTasks see one-off tasks (ecs-tasks.ts) and the stopped
 * tasks of services (ecs-service-tasks.ts).
 */

const REGISTRABLE = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
];

function tagsOf(input: JsonInput): EcsTag[] {
  return (input.objects('tags') ?? []).map((t) => {
    if (typeof t.key !== 'string' || t.key === '') throw invalidParameter('Tag key must not be empty.');
    return { key: t.key, value: typeof t.value === 'string' ? t.value : '' };
  });
}

function includesTags(input: JsonInput): boolean {
  return (input.strings('include') ?? []).includes('TAGS');
}

export function ecsService(
  state: EcsState,
  definitions: TaskDefinitions,
  rollouts: Rollouts,
  tasks: Tasks,
  serviceTasks: ServiceTasks,
): JsonService {
  function describeServices(input: JsonInput): object {
    const cluster = state.cluster(input.string('cluster'));
    const refs = input.strings('services') ?? [];
    if (refs.length === 0 || refs.length > 10)
      throw invalidParameter('Services cannot be empty and may number at most 10.');
    const services: object[] = [];
    const failures: object[] = [];
    for (const ref of refs) {
      const service = state.findService(cluster, ref);
      if (service) services.push({ ...state.serviceJson(service), ...(includesTags(input) && { tags: [] }) });
      else
        failures.push({
          arn: ref.startsWith('arn:')
            ? ref
            : `arn:aws:ecs:${state.region}:${state.account}:service/${cluster.name}/${ref}`,
          reason: 'MISSING',
        });
    }
    return { services, failures };
  }

  function updateService(input: JsonInput): object {
    const cluster = state.cluster(input.string('cluster'));
    const service = state.service(cluster, input.requiredString('service'));
    const config = input.object('deploymentConfiguration');
    if (config) {
      const { deploymentCircuitBreaker: breaker, maximumPercent, minimumHealthyPercent, ...rest } = config;
      if (
        Object.keys(rest).length > 0 ||
        (maximumPercent ?? 200) !== 200 ||
        (minimumHealthyPercent ?? 100) !== 100
      ) {
        throw notModelled('ECS', 'a deploymentConfiguration other than the circuit breaker', true);
      }
      if (isObject(breaker)) {
        service.circuitBreaker = { enable: breaker.enable === true, rollback: breaker.rollback === true };
      }
    }
    const desired = input.number('desiredCount');
    if (desired !== undefined) {
      if (!Number.isInteger(desired) || desired < 0)
        throw invalidParameter('desiredCount must be a non-negative integer.');
      service.desiredCount = desired;
    }
    const ref = input.string('taskDefinition');
    let target = service.taskDefinition;
    if (ref !== undefined) {
      const definition = definitions.resolve(ref);
      if (!definition) throw new AwsError('ClientException', 'TaskDefinition not found.');
      target = definition.arn;
    }
    rollouts.update(service, target, input.boolean('forceNewDeployment') === true);
    return { service: state.serviceJson(service) };
  }

  function runTask(input: JsonInput): object {
    const cluster = state.cluster(input.string('cluster'));
    const definition = definitions.resolve(input.requiredString('taskDefinition'));
    if (!definition) throw invalidParameter('TaskDefinition not found.');
    const token = input.string('clientToken');
    if (token !== undefined && token.length > 64)
      throw invalidParameter('clientToken can have at most 64 characters.');
    // The same token answers with the task it started first (idempotent retry).
    const earlier =
      token === undefined
        ? []
        : tasks.records.filter((t) => t.clientToken === token && t.clusterName === cluster.name);
    if (earlier.length > 0) return { tasks: earlier.map((t) => tasks.toJson(t, false)), failures: [] };

    const startedBy = input.string('startedBy');
    if (startedBy !== undefined && startedBy.length > 36)
      throw invalidParameter('startedBy can have at most 36 characters.');
    const count = input.number('count') ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10)
      throw invalidParameter('count must be between 1 and 10.');
    const launchType = input.string('launchType');
    const providers = input.objects('capacityProviderStrategy');
    if (launchType !== undefined && providers !== undefined && providers.length > 0) {
      throw invalidParameter(
        'Specifying both a launch type and capacity provider strategy is not supported.',
      );
    }
    const body = definition.body;
    if (body.networkMode === 'awsvpc' && input.object('networkConfiguration') === undefined) {
      throw invalidParameter(
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    }
    const requires = Array.isArray(body.requiresCompatibilities) ? body.requiresCompatibilities : [];
    if (launchType === 'FARGATE' && !requires.includes('FARGATE')) {
      throw invalidParameter('Task definition does not support launch_type FARGATE.');
    }

    const containers = definitions.containers(definition);
    const overrides = input.object('overrides') ?? {};
    const containerOverrides = Array.isArray(overrides.containerOverrides)
      ? overrides.containerOverrides
      : [];
    let scripted = definitions.mainContainer(definition).name;
    let command = definitions.mainContainer(definition).command;
    for (const o of containerOverrides) {
      const target = isObject(o) ? containers.find((c) => c.name === o.name) : undefined;
      if (!target || !isObject(o)) {
        throw invalidParameter(
          `Override for container named ${String(isObject(o) ? o.name : o)} is not a container in the TaskDefinition.`,
        );
      }
      if (Array.isArray(o.command)) {
        scripted = target.name;
        command = o.command as string[];
      }
    }
    // Without a launch type or capacity providers, ECS launches on EC2.
    const effectiveLaunchType = launchType ?? (providers?.length ? undefined : 'EC2');
    const platformVersion = input.string('platformVersion');
    const started = Array.from({ length: count }, () =>
      tasks.start({
        clusterName: cluster.name,
        clusterArn: cluster.arn,
        definition,
        containers,
        scripted,
        command,
        ...(startedBy !== undefined && { startedBy }),
        ...(token !== undefined && { clientToken: token }),
        group: input.string('group') ?? `family:${definition.family}`,
        ...(effectiveLaunchType !== undefined && { launchType: effectiveLaunchType }),
        ...(platformVersion !== undefined && { platformVersion }),
        overrides,
        tags: tagsOf(input),
      }),
    );
    return { tasks: started.map((t) => tasks.toJson(t, false)), failures: [] };
  }

  function listTasks(input: JsonInput): object {
    const cluster = state.cluster(input.string('cluster'));
    const startedBy = input.string('startedBy');
    const family = input.string('family');
    const launchType = input.string('launchType');
    // ECS lists tasks whose *desired* status matches; RUNNING is the default.
    const desired = input.string('desiredStatus') ?? 'RUNNING';
    if (!['RUNNING', 'PENDING', 'STOPPED'].includes(desired))
      throw invalidParameter(`Invalid desiredStatus ${desired}.`);
    const max = input.number('maxResults') ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100)
      throw invalidParameter('maxResults must be between 1 and 100.');
    const serviceRef = input.string('serviceName');
    // Running service tasks are counts here, not tasks with ARNs: only the stopped ones can be listed.
    if (serviceRef !== undefined && desired !== 'STOPPED')
      throw notModelled('ECS', `ListTasks serviceName with desiredStatus ${desired}`, true);
    const serviceName = serviceRef === undefined ? undefined : state.service(cluster, serviceRef).name;
    const oneOff = serviceName !== undefined ? [] : tasks.records;
    const ofServices = desired !== 'STOPPED' ? [] : serviceTasks.records;
    const arns = [
      ...oneOff
        .filter(
          (t) =>
            t.clusterName === cluster.name &&
            (startedBy === undefined || t.startedBy === startedBy) &&
            (family === undefined || t.definition.family === family) &&
            (launchType === undefined || t.launchType === launchType) &&
            tasks.phase(t).desiredStatus === desired,
        )
        .map((t) => t.arn),
      ...ofServices
        .filter(
          (t) =>
            t.clusterName === cluster.name &&
            (serviceName === undefined || t.serviceName === serviceName) &&
            (startedBy === undefined || t.deploymentId === startedBy) &&
            (family === undefined || t.definition.family === family) &&
            (launchType === undefined || launchType === 'FARGATE'),
        )
        .map((t) => t.arn),
    ];
    const query = { cluster: cluster.name, startedBy, family, launchType, desired, serviceName };
    const token = input.string('nextToken');
    const offset = token === undefined ? 0 : decodeToken(token, query);
    if (offset === undefined) throw invalidParameter('Invalid nextToken.');
    const page = arns.slice(offset, offset + max);
    const next = offset + page.length;
    return { taskArns: page, ...(next < arns.length && { nextToken: encodeToken(next, query) }) };
  }

  function describeTasks(input: JsonInput): object {
    const cluster = state.cluster(input.string('cluster'));
    const refs = input.strings('tasks') ?? [];
    if (refs.length === 0 || refs.length > 100)
      throw invalidParameter('Tasks cannot be empty and may number at most 100.');
    const found: object[] = [];
    const failures: object[] = [];
    for (const ref of refs) {
      const task = tasks.find(cluster.name, ref);
      const serviceTask = task ? undefined : serviceTasks.find(cluster.name, ref);
      if (task) found.push(tasks.toJson(task, includesTags(input)));
      else if (serviceTask) found.push(serviceTasks.toJson(serviceTask, includesTags(input)));
      // Includes tasks stopped over an hour ago: ECS has forgotten them.
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { tasks: found, failures };
  }

  return {
    name: 'ecs',
    title: 'ECS',
    targetPrefix: 'AmazonEC2ContainerServiceV20141113',
    operations: {
      DescribeServices: { accepts: ['cluster', 'services', 'include'], run: describeServices },
      DescribeTaskDefinition: {
        accepts: ['taskDefinition', 'include'],
        run(input) {
          const record = definitions.require(input.requiredString('taskDefinition'));
          return {
            taskDefinition: definitions.toJson(record),
            ...(includesTags(input) && { tags: record.tags }),
          };
        },
      },
      RegisterTaskDefinition: {
        accepts: [...REGISTRABLE, 'tags'],
        run(input) {
          const { tags: _tags, ...body } = input.body;
          const record = definitions.register(body, tagsOf(input));
          return { taskDefinition: definitions.toJson(record), tags: record.tags };
        },
      },
      UpdateService: {
        accepts: [
          'cluster',
          'service',
          'taskDefinition',
          'desiredCount',
          'forceNewDeployment',
          'deploymentConfiguration',
        ],
        run: updateService,
      },
      RunTask: {
        accepts: [
          'cluster',
          'taskDefinition',
          'count',
          'startedBy',
          'clientToken',
          'overrides',
          'networkConfiguration',
          'launchType',
          'capacityProviderStrategy',
          'platformVersion',
          'group',
          'tags',
        ],
        run: runTask,
      },
      ListTasks: {
        accepts: [
          'cluster',
          'serviceName',
          'startedBy',
          'desiredStatus',
          'family',
          'launchType',
          'maxResults',
          'nextToken',
        ],
        run: listTasks,
      },
      DescribeTasks: { accepts: ['cluster', 'tasks', 'include'], run: describeTasks },
    },
  };
}
