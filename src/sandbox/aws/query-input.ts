import { AwsError, invalidParameterValue, notModelled } from './errors';

/**
 * A query-protocol (RDS) request: `Action=…&Version=…&A=1&Tags.Tag.1.Key=k`.
 * Only flat members and member-named lists of structures (`Tags.Tag.N.Key`) are
 * read, which is all the modelled operations take; anything else is refused.
 */
export class QueryInput {
  readonly action: string;
  readonly version: string;
  private readonly params = new Map<string, string>();

  constructor(body: string) {
    for (const [key, value] of new URLSearchParams(body)) this.params.set(key, value);
    this.action = this.params.get('Action') ?? '';
    this.version = this.params.get('Version') ?? '';
    this.params.delete('Action');
    this.params.delete('Version');
  }

  /** Refuses parameters outside `accepted`; list members count by their first segment. */
  accept(accepted: readonly string[]): this {
    for (const key of this.params.keys()) {
      const head = key.split('.')[0] ?? key;
      if (!accepted.includes(head)) throw notModelled('RDS', `parameter ${key}`, false);
    }
    return this;
  }

  string(name: string): string | undefined {
    return this.params.get(name);
  }

  requiredString(name: string): string {
    const value = this.params.get(name);
    if (value === undefined || value === '') {
      throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
    }
    return value;
  }

  integer(name: string): number | undefined {
    const raw = this.params.get(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw invalidParameterValue(`Invalid value '${raw}' for ${name}`);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const raw = this.params.get(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw invalidParameterValue(`Invalid value '${raw}' for ${name}`);
    return raw === 'true';
  }

  /** `Ids.Id.1=a&Ids.Id.2=b` → ['a', 'b'], in index order. */
  stringList(name: string, member: string): string[] {
    const items = new Map<number, string>();
    const prefix = `${name}.${member}.`;
    for (const [key, value] of this.params) {
      if (!key.startsWith(`${name}.`)) continue;
      const match = key.startsWith(prefix) ? /^(\d+)$/.exec(key.slice(prefix.length)) : null;
      if (!match) throw invalidParameterValue(`Malformed list parameter ${key}`);
      items.set(Number(match[1]), value);
    }
    return [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
  }

  /** `Tags.Tag.1.Key=a&Tags.Tag.1.Value=b` → [{ Key: 'a', Value: 'b' }], in index order. */
  structList(name: string, member: string): Record<string, string>[] {
    const items = new Map<number, Record<string, string>>();
    const prefix = `${name}.${member}.`;
    for (const [key, value] of this.params) {
      if (!key.startsWith(`${name}.`)) continue;
      const match = key.startsWith(prefix) ? /^(\d+)\.(\w+)$/.exec(key.slice(prefix.length)) : null;
      if (!match) throw invalidParameterValue(`Malformed list parameter ${key}`);
      const index = Number(match[1]);
      const item = items.get(index) ?? {};
      item[match[2] as string] = value;
      items.set(index, item);
    }
    return [...items.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
  }
}
