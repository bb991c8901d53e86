/**
 * Append-only record of who did what. Implemented as a Redis stream
 * (src/redis/audit-log.ts); entries are never edited or deleted by deploybot
 * (the stream is capped at a large length to bound memory).
 */
export interface AuditEntry {
  /** Assigned by the log (the stream id); ordered by time. */
  id: string;
  at: number;
  /** Slack user id, `cli:<user>`, or `deploybot` for the bot's own decisions. */
  actor: string;
  action: string;
  app?: string;
  environment?: string;
  releaseId?: string;
  detail?: string;
}

export interface AuditLog {
  append(entry: Omit<AuditEntry, 'id'>): Promise<string>;
  /** Newest first. */
  recent(limit: number, filter?: { app?: string; releaseId?: string }): Promise<AuditEntry[]>;
}
