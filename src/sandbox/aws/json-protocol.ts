import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from './errors';
import { isObject, JsonInput } from './json-input';
import type { AwsServiceName } from './types';

/**
 * The awsJson1_1 protocol (ECS, ECR, CloudWatch Logs): POST / with
 * `X-Amz-Target: <prefix>.<Operation>` and a JSON body; answers are JSON with
 * timestamps in epoch seconds; errors carry `__type` and `x-amzn-ErrorType`.
 * CloudWatch speaks awsJson1_0 with awsQueryCompatible: the same, with its own
 * content type, and every error also names its query-protocol code.
 */
export interface JsonOperation {
  /** Request members the operation models; any other member is refused. */
  accepts: readonly string[];
  run(input: JsonInput): object;
}

export interface JsonService {
  name: AwsServiceName;
  /** Human name for messages ("ECS"). */
  title: string;
  targetPrefix: string;
  operations: Record<string, JsonOperation>;
  /**
   * awsJson1_0 with awsQueryCompatible (CloudWatch); absent for awsJson1_1. The
   * SDK reads such an error's code from `x-amzn-query-error: <Code>;<Sender|Receiver>`
   * before `__type` (the error shape), so `queryError` gives both for an AwsError, including the
   * dispatcher's own (ThrottlingException, UnknownOperationException, …).
   */
  queryCompatible?: { queryError(error: AwsError): { code: string; shape: string } };
}

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const JSON_1_0_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** JSON timestamps are epoch seconds (fractional), which the SDK turns back into Dates. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  service?: JsonService,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': service?.queryCompatible ? JSON_1_0_CONTENT_TYPE : JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
  });
  res.end(text);
}

export function sendJsonError(
  res: ServerResponse,
  error: AwsError,
  requestId: string,
  service?: JsonService,
): void {
  const compatible = service?.queryCompatible?.queryError(error);
  if (compatible) {
    res.setHeader('x-amzn-query-error', `${compatible.code};${error.type}`);
    res.setHeader('x-amzn-errortype', compatible.shape);
    sendJson(res, error.status, { __type: compatible.shape, message: error.message }, requestId, service);
    return;
  }
  res.setHeader('x-amzn-errortype', error.code);
  sendJson(res, error.status, { __type: error.code, message: error.message }, requestId);
}

/** Coral's answer to a target it does not know, service or operation. */
export function unknownOperation(): AwsError {
  return new AwsError('UnknownOperationException', 'Unknown operation');
}

export function parseJsonBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (!isObject(parsed)) throw new AwsError('SerializationException', 'Expected a JSON object');
  return parsed;
}

export function isJsonRequest(req: IncomingMessage): boolean {
  return req.headers['x-amz-target'] !== undefined;
}

/** Runs one operation of `service`; AwsErrors propagate to the caller, which answers them. */
export function runJsonOperation(service: JsonService, operation: string, raw: string): object {
  const op = service.operations[operation];
  if (!op) throw unknownOperation();
  return op.run(new JsonInput(parseJsonBody(raw), service.title, op.accepts));
}
