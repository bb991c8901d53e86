import { readBody as readBoundedBody } from '../loopback-http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from './errors';
import { requestId } from './ids';
import {
  runJsonOperation,
  sendJson,
  sendJsonError,
  unknownOperation,
  type JsonService,
} from './json-protocol';
import { QueryInput } from './query-input';
import { runQueryOperation, sendQueryError, sendQueryResult, type QueryService } from './query-protocol';
import type { Throttle } from './throttle';
import type { AwsServiceName, EmulatorCall } from './types';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface DispatchTargets {
  /** By X-Amz-Target prefix (`AmazonEC2ContainerServiceV20141113`, `Logs_20140328`, `GraniteServiceVersion20100801`, …). */
  jsonServices: Map<string, JsonService>;
  /** The query-protocol service requests go to by default: RDS. */
  queryService: QueryService;
  /** Further query-protocol services (ELBv2), told apart from RDS by the API `Version` they send. */
  moreQueryServices?: { name: AwsServiceName; service: QueryService }[];
  throttle: Throttle;
  /** Advances time-driven state before a request reads or changes it. */
  settle(): void;
  record(service: EmulatorCall['service'], action: string, status: number, errorCode?: string): void;
  state(): unknown;
}

/**
 * One HTTP handler for all five services. JSON services are told apart by the
 * X-Amz-Target prefix, RDS by a form body; throttling is decided before the
 * operation runs, as a real front door would. `GET /_emulator/state` is the
 * emulator's own (a sandbox UI reads it).
 */
export function createDispatcher(
  t: DispatchTargets,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const id = requestId();
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      res.writeHead(413).end();
      return;
    }
    if (req.method === 'GET' && req.url === '/_emulator/state') {
      sendJson(res, 200, t.state(), id);
      return;
    }
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') {
      const dot = target.indexOf('.');
      const service = dot < 0 ? undefined : t.jsonServices.get(target.slice(0, dot));
      const action = target.slice(dot + 1);
      try {
        if (!service || req.method !== 'POST') throw unknownOperation();
        if (t.throttle.take(service.name)) throw new AwsError('ThrottlingException', 'Rate exceeded');
        t.settle();
        const out = runJsonOperation(service, action, raw);
        t.record(service.name, action, 200);
        sendJson(res, 200, out, id, service);
      } catch (err) {
        const error = asAwsError(err);
        t.record(service?.name ?? 'unknown', action, error.status, error.code);
        sendJsonError(res, error, id, service);
      }
      return;
    }
    if (
      req.method === 'POST' &&
      (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
    ) {
      const input = new QueryInput(raw);
      const other = t.moreQueryServices?.find((q) => q.service.version === input.version);
      const name = other?.name ?? 'rds';
      const queryService = other?.service ?? t.queryService;
      try {
        if (t.throttle.take(name)) throw new AwsError('Throttling', 'Rate exceeded');
        t.settle();
        const result = runQueryOperation(queryService, input);
        t.record(name, input.action, 200);
        sendQueryResult(res, queryService, input.action, result, id);
      } catch (err) {
        const error = asAwsError(err);
        t.record(name, input.action, error.status, error.code);
        sendQueryError(res, queryService, error, id);
      }
      return;
    }
    t.record('unknown', `${req.method ?? '?'} ${req.url ?? ''}`, 404);
    sendJsonError(
      res,
      new AwsError('UnknownOperationException', 'Not an AWS API request this emulator serves', 404),
      id,
    );
  };
}

/** A bug in the emulator answers as AWS's own 500, so the SDK treats it as a server fault. */
function asAwsError(err: unknown): AwsError {
  if (err instanceof AwsError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AwsError('InternalFailure', `emulator error: ${message}`, 500, 'Receiver');
}

function readBody(req: IncomingMessage): Promise<string> {
  return readBoundedBody(req, MAX_BODY_BYTES);
}
