import type { ServerResponse } from 'node:http';
import { AwsError } from './errors';
import type { QueryInput } from './query-input';
import { element, escapeXml, type XmlObject } from './xml';

/**
 * The awsQuery protocol (RDS): a form-encoded POST with `Action` and `Version`,
 * answered with `<ActionResponse><ActionResult>…` XML, errors as
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>` with the HTTP status
 * the service models for that error (404 for the NotFound faults).
 */
export interface QueryOperation {
  accepts: readonly string[];
  run(input: QueryInput): XmlObject;
}

export interface QueryService {
  version: string;
  xmlns: string;
  operations: Record<string, QueryOperation>;
}

export function runQueryOperation(service: QueryService, input: QueryInput): XmlObject {
  const op = input.version === service.version ? service.operations[input.action] : undefined;
  if (!op) {
    throw new AwsError(
      'InvalidAction',
      `Could not find operation ${input.action || '(none)'} for version ${input.version || '(none)'}`,
    );
  }
  return op.run(input.accept(op.accepts));
}

function send(res: ServerResponse, status: number, xml: string, requestId: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': requestId,
  });
  res.end(xml);
}

export function sendQueryResult(
  res: ServerResponse,
  service: QueryService,
  action: string,
  result: XmlObject,
  requestId: string,
): void {
  const xml =
    `<${action}Response xmlns="${service.xmlns}">` +
    element(`${action}Result`, result) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  send(res, 200, xml, requestId);
}

export function sendQueryError(
  res: ServerResponse,
  service: QueryService,
  error: AwsError,
  requestId: string,
): void {
  const xml =
    `<ErrorResponse xmlns="${service.xmlns}"><Error>` +
    `<Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  send(res, error.status, xml, requestId);
}
