/**
 * Where an approval's time goes, seen from outside the product: the bench
 * replaces a few methods of the objects it wired (store, locks, queue, ECS
 * adapter, chat, authorizer) with timed copies, and watches its own HTTP
 * servers (Bolt, the AWS emulator, the fake Slack) through Node's
 * diagnostics_channel. No product code changes.
 *
 * Each span carries the flow it ran in — "web" (the Bolt listener), "step"
 * (a BullMQ step job), "chat" (Slack posts and coalesced edits, which run
 * beside the flow that asked for them) — kept by AsyncLocalStorage, so
 * concurrent work is not mistaken for the click's own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface Span {
  /** The flow it ran in: web, step, chat, or a server's name for requests it received. */
  context: string;
  label: string;
  /** performance.now() milliseconds; equal to `end` for an instant. */
  start: number;
  end: number;
}

interface WrapOptions {
  /** The call begins a flow: its span and everything it does belong to it. */
  flow?: string;
  /** The span belongs to the caller's flow, but what the call does runs as this flow. */
  bodyFlow?: string;
  /** More words for the label, from the receiver (e.g. a queue's name). */
  describe?: (self: unknown) => string;
}

type Listener = (span: Span) => void;
type Method = (this: unknown, ...args: unknown[]) => unknown;

/** What a server received: an AWS action (JSON protocol), a Slack API method, or method and path. */
function requestLabel(server: string, request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  if (server === 'slack') return (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
  return `${request.method ?? '?'} ${request.url ?? ''}`;
}

export class Trace {
  readonly spans: Span[] = [];
  private readonly flows = new AsyncLocalStorage<string>();
  private readonly ports = new Map<number, string>();
  private readonly servers = new WeakMap<Server, string | null>();
  private readonly open = new WeakMap<IncomingMessage, Span>();
  private readonly listeners = new Set<Listener>();
  private readonly restores: (() => void)[] = [];

  private readonly onRequest = (message: unknown): void => {
    const { request, server } = message as { request: IncomingMessage; server: Server };
    let name = this.servers.get(server);
    if (name === undefined) {
      // The emulator and the fake Slack keep their servers private: know them by port.
      name = this.ports.get((server.address() as AddressInfo | null)?.port ?? -1) ?? null;
      this.servers.set(server, name);
    }
    if (name === null) return;
    const at = this.now();
    const span: Span = { context: name, label: requestLabel(name, request), start: at, end: at };
    this.open.set(request, span);
    this.push(span);
  };

  private readonly onResponse = (message: unknown): void => {
    const { request } = message as { request: IncomingMessage };
    const span = this.open.get(request);
    if (span) span.end = this.now();
  };

  constructor() {
    diagnostics.subscribe('http.server.request.start', this.onRequest);
    diagnostics.subscribe('http.server.response.finish', this.onResponse);
  }

  now(): number {
    return performance.now();
  }

  /** Records each request a server on `port` receives (its arrival, and when its answer was written) as `name`. */
  watchPort(port: number, name: string): void {
    this.ports.set(port, name);
  }

  /** An instant in `context`. */
  mark(context: string, label: string): void {
    const at = this.now();
    this.push({ context, label, start: at, end: at });
  }

  /**
   * Times `methods` of `target` (an instance or a prototype) as "<prefix>.<method>".
   * A method the product no longer has is skipped rather than failing the bench.
   */
  wrap(target: object, prefix: string, methods: readonly string[], options: WrapOptions = {}): void {
    const record = target as Record<string, unknown>;
    for (const name of methods) {
      const original = record[name];
      if (typeof original !== 'function') continue;
      const hadOwn = Object.hasOwn(record, name);
      const run = (receiver: unknown, args: unknown[]): unknown => {
        const label = `${prefix}.${name}${options.describe ? ` ${options.describe(receiver)}` : ''}`;
        const timed = (): unknown =>
          this.timed(label, options, () => (original as Method).apply(receiver, args));
        return options.flow ? this.flows.run(options.flow, timed) : timed();
      };
      record[name] = function (this: unknown, ...args: unknown[]): unknown {
        return run(this, args);
      };
      this.restores.push(() => {
        if (hadOwn) record[name] = original;
        else delete record[name];
      });
    }
  }

  /**
   * Resolves with the first span from now on that `match` accepts, told of a
   * request when it arrives and of a timed call when it ends; rejects after `timeoutMs`.
   */
  next(match: (span: Span) => boolean, timeoutMs: number, what: string): Promise<Span> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener: Listener = (span) => {
        if (!match(span)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(span);
      };
      this.listeners.add(listener);
    });
  }

  /** Spans that started in [from, to], with times made relative to `from`. */
  between(from: number, to: number): Span[] {
    return this.spans
      .filter((s) => s.start >= from && s.start <= to)
      .map((s) => ({ ...s, start: s.start - from, end: s.end - from }));
  }

  /** Forgets recorded spans (between rollbacks, so memory stays flat). */
  clear(): void {
    this.spans.length = 0;
  }

  /** Puts every wrapped method back and stops listening. */
  close(): void {
    diagnostics.unsubscribe('http.server.request.start', this.onRequest);
    diagnostics.unsubscribe('http.server.response.finish', this.onResponse);
    for (const restore of this.restores.reverse()) restore();
    this.restores.length = 0;
    this.listeners.clear();
  }

  /** Runs `call` as one span of the current flow (its body in `bodyFlow` when given). */
  private timed(label: string, options: WrapOptions, call: () => unknown): unknown {
    const span: Span = {
      context: this.flows.getStore() ?? 'other',
      label,
      start: this.now(),
      end: Number.NaN,
    };
    // Kept from its start, so a snapshot taken meanwhile shows it; announced when it ends.
    this.spans.push(span);
    const finish = (): void => {
      span.end = this.now();
      this.announce(span);
    };
    let result: unknown;
    try {
      result = options.bodyFlow ? this.flows.run(options.bodyFlow, call) : call();
    } catch (error) {
      finish();
      throw error;
    }
    if (result instanceof Promise) return result.finally(finish);
    finish();
    return result;
  }

  private push(span: Span): void {
    this.spans.push(span);
    this.announce(span);
  }

  private announce(span: Span): void {
    for (const listener of [...this.listeners]) listener(span);
  }
}
