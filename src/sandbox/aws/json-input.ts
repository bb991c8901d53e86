import { AwsError, notModelled } from './errors';

type Json = Record<string, unknown>;

/**
 * A JSON 1.1 request body, read the way the real services read it: wrong types
 * are a SerializationException, and members the emulator does not model are
 * refused rather than silently ignored (see notModelled).
 */
export class JsonInput {
  constructor(
    readonly body: Json,
    private readonly service: string,
    accepted: readonly string[],
  ) {
    for (const key of Object.keys(body)) {
      if (!accepted.includes(key)) throw notModelled(service, `request member "${key}"`, true);
    }
  }

  string(name: string): string | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw serialization(name, 'a string');
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missing(name);
    return value;
  }

  number(name: string): number | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw serialization(name, 'a number');
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw serialization(name, 'a boolean');
    return value;
  }

  strings(name: string): string[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw serialization(name, 'a list of strings');
    }
    return value as string[];
  }

  objects(name: string): Json[] | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value) || value.some((v) => !isObject(v)))
      throw serialization(name, 'a list of objects');
    return value as Json[];
  }

  object(name: string): Json | undefined {
    const value = this.body[name];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) throw serialization(name, 'an object');
    return value;
  }
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function serialization(name: string, expected: string): AwsError {
  return new AwsError('SerializationException', `${name} must be ${expected}`);
}

/** The Coral validation message AWS JSON services send for a missing required member. */
function missing(name: string): AwsError {
  return new AwsError(
    'ValidationException',
    `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
  );
}
