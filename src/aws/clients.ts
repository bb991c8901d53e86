import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';

/**
 * The SDK clients deploybot uses, configured only through the SDK's own
 * mechanisms: region and credentials from the default provider chain (env, profile,
 * SSO, container/instance role), endpoints from AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>
 * which SDK v3 reads itself. Endpoints are never built here.
 */
export interface AwsClients {
  ecs: ECSClient;
  rds: RDSClient;
  logs: CloudWatchLogsClient;
  /** CloudWatch metrics (AWS_ENDPOINT_URL_CLOUDWATCH), for service CPU and memory. */
  cloudwatch: CloudWatchClient;
  /** Elastic Load Balancing v2 (AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2), to name target groups' metrics. */
  elbv2: ElasticLoadBalancingV2Client;
  /** ECR client for the region an image lives in (from its URI); one client per region. */
  ecrForRegion(region: string): ECRClient;
}

export interface AwsClientOptions {
  /** Overrides the region from the environment/profile for ECS, RDS, Logs and CloudWatch. */
  region?: string;
}

// The SDK retries throttling and 5xx itself; beyond a few attempts the step's own
// retry (with its longer backoff) takes over, so a call never hangs a worker for long.
const MAX_ATTEMPTS = 3;

const REQUEST_HANDLER = {
  connectionTimeout: 5_000,
  requestTimeout: 30_000,
  // Without this the SDK only logs a warning when requestTimeout passes.
  throwOnRequestTimeout: true,
};

function baseConfig(region: string | undefined) {
  return {
    // Leave region out entirely when not given, so the SDK's own chain resolves it.
    ...(region !== undefined && { region }),
    maxAttempts: MAX_ATTEMPTS,
    requestHandler: { ...REQUEST_HANDLER },
  };
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const ecr = new Map<string, ECRClient>();
  return {
    ecs: new ECSClient(baseConfig(options.region)),
    rds: new RDSClient(baseConfig(options.region)),
    logs: new CloudWatchLogsClient(baseConfig(options.region)),
    cloudwatch: new CloudWatchClient(baseConfig(options.region)),
    elbv2: new ElasticLoadBalancingV2Client(baseConfig(options.region)),
    ecrForRegion(region: string): ECRClient {
      let client = ecr.get(region);
      if (!client) {
        client = new ECRClient(baseConfig(region));
        ecr.set(region, client);
      }
      return client;
    },
  };
}
