import type { Redis } from 'ioredis';
import type { AuditEntry, AuditLog } from '../ports/audit-log';
import { redisKeys } from './keys';

const DEFAULT_MAX_LENGTH = 100_000;
const DEFAULT_BATCH_SIZE = 200;

/** The optional fields, stored only when set so that they read back as absent, not as "undefined". */
const OPTIONAL_FIELDS = ['app', 'environment', 'releaseId', 'detail'] as const;

export interface RedisAuditLogOptions {
  /** Approximate cap on entries (XADD MAXLEN ~), to bound memory. */
  maxLength?: number;
  /** How many entries to read per round trip when filtering. */
  batchSize?: number;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * The audit log as one Redis stream: appends are cheap, ids are ordered by time,
 * and XREVRANGE reads newest first. `MAXLEN ~` lets Redis trim whole nodes
 * lazily instead of exactly on every append.
 */
export class RedisAuditLog implements AuditLog {
  private readonly key: string;
  private readonly maxLength: number;
  private readonly batchSize: number;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: RedisAuditLogOptions = {},
  ) {
    this.key = redisKeys(prefix).audit();
    this.maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  async append(entry: Omit<AuditEntry, 'id'>): Promise<string> {
    const fields: string[] = ['at', String(entry.at), 'actor', entry.actor, 'action', entry.action];
    for (const name of OPTIONAL_FIELDS) {
      const value = entry[name];
      if (value !== undefined) fields.push(name, value);
    }
    const id = await this.redis.xadd(this.key, 'MAXLEN', '~', this.maxLength, '*', ...fields);
    // XADD only answers null with NOMKSTREAM, which we never pass.
    if (id === null) throw new Error('XADD returned no id');
    return id;
  }

  async recent(limit: number, filter: { app?: string; releaseId?: string } = {}): Promise<AuditEntry[]> {
    if (limit <= 0) return [];
    const filtered = filter.app !== undefined || filter.releaseId !== undefined;
    const batchSize = filtered ? Math.max(limit, this.batchSize) : limit;
    const found: AuditEntry[] = [];
    let end = '+';

    while (found.length < limit) {
      const batch: StreamEntry[] = await this.redis.xrevrange(this.key, end, '-', 'COUNT', batchSize);
      for (const [id, fields] of batch) {
        const entry = toEntry(id, fields);
        if (filter.app !== undefined && entry.app !== filter.app) continue;
        if (filter.releaseId !== undefined && entry.releaseId !== filter.releaseId) continue;
        found.push(entry);
        if (found.length === limit) break;
      }
      const last = batch[batch.length - 1];
      if (last === undefined || batch.length < batchSize) break;
      // "(" makes the range exclusive, so the next batch starts just below the last id.
      end = `(${last[0]}`;
    }
    return found;
  }
}

function toEntry(id: string, fields: string[]): AuditEntry {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    values.set(fields[i] as string, fields[i + 1] as string);
  }
  const entry: AuditEntry = {
    id,
    at: Number(values.get('at')),
    actor: values.get('actor') ?? '',
    action: values.get('action') ?? '',
  };
  for (const name of OPTIONAL_FIELDS) {
    const value = values.get(name);
    if (value !== undefined) entry[name] = value;
  }
  return entry;
}
