/**
 * An error the emulated service answers with. `code` is the wire code the SDK
 * maps to its typed exception (JSON `__type`, or RDS `<Code>`), so it must be
 * spelled exactly as AWS spells it — e.g. RDS's `DBSnapshotAlreadyExists`, which
 * the SDK raises as `DBSnapshotAlreadyExistsFault`.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** RDS's `<Type>`: Sender for the caller's mistakes, Receiver for the service's. */
    readonly type: 'Sender' | 'Receiver' = 'Sender',
  ) {
    super(message);
    this.name = code;
  }
}

/** ECS, ECR and CloudWatch Logs all name their bad-parameter error this way. */
export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

/** The query protocol's equivalent (RDS). */
export function invalidParameterValue(message: string): AwsError {
  return new AwsError('InvalidParameterValue', message);
}

/**
 * For requests the real service would accept but the emulator does not model:
 * answering them as if understood would let a test pass against behaviour that
 * does not exist, so they fail loudly instead.
 */
export function notModelled(service: string, what: string, json: boolean): AwsError {
  const message = `${what} is not modelled by the deploybot ${service} emulator`;
  return json ? invalidParameter(message) : invalidParameterValue(message);
}
