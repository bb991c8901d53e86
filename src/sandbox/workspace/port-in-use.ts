/**
 * The page's port is taken by another program (often an earlier sandbox still
 * running). Its own error, so the sandbox can say in one line what to do
 * instead of printing Node's EADDRINUSE stack.
 */
export class PortInUseError extends Error {
  readonly code = 'port_in_use';

  constructor(
    readonly port: number,
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(`port ${port} on ${host} is already in use`, options);
    this.name = 'PortInUseError';
  }
}

export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}
