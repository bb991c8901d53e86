import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FakeSlackChange, FakeSocketAck, FakeSocketConnection, FakeEnvelope } from './types';
import { acceptWebSocket, CLOSE, refuseUpgrade, type WebSocketConnection } from './websocket';
import { BOT } from './workspace';

/** Where the fake's WebSocket URLs live: `ws://127.0.0.1:<port>/link/?ticket=…`. */
export const SOCKET_PATH = '/link/';

/** Why Slack asks a client to reconnect: soon (`warning`), now (`refresh_requested`), or for good. */
export type DisconnectReason = 'warning' | 'refresh_requested' | 'link_disabled';

export interface DeliverOptions {
  /** Slack's `accepts_response_payload`; by default true for slash commands, false for block_actions. */
  acceptsResponsePayload?: boolean;
  /** Rejects when no ack came by then (Slack itself gives up after 3 seconds). */
  timeoutMs?: number;
}

interface Pending {
  resolve(ack: FakeSocketAck): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  connection: string;
}

interface Live {
  info: FakeSocketConnection;
  socket: WebSocketConnection;
}

/**
 * Slack's Socket Mode, for one app: `apps.connections.open` issues a one-use
 * ticket URL; a client that connects with it gets `hello`, then envelopes
 * (`slash_commands`, `interactive`) that it must ack with
 * `{envelope_id, payload?}`. An envelope goes to the newest open connection, as
 * Slack sends each envelope to one of an app's connections. `disconnect()`
 * sends Slack's `disconnect` message, after which the client is expected to
 * close and connect again with a new URL.
 */
export class SocketModeHub {
  /** Every connection ever made, oldest first, with whether it is still open. */
  readonly connections: FakeSocketConnection[] = [];
  /** Every envelope sent, in order. */
  readonly envelopes: FakeEnvelope[] = [];
  /** Every ack received, in order, including any for an envelope already acked or never sent. */
  readonly acks: FakeSocketAck[] = [];
  private readonly tickets = new Set<string>();
  private readonly live = new Map<string, Live>();
  private readonly pending = new Map<string, Pending>();
  private opened = 0;

  constructor(private readonly emit: (change: FakeSlackChange) => void) {}

  /** A new WebSocket URL on `origin` (`ws://127.0.0.1:<port>`), good for one connection. */
  openUrl(origin: string): string {
    const ticket = randomBytes(16).toString('hex');
    this.tickets.add(ticket);
    return `${origin}${SOCKET_PATH}?ticket=${ticket}&app_id=${BOT.appId}`;
  }

  /** Takes an HTTP upgrade on SOCKET_PATH: a known ticket connects (once), anything else is refused. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== SOCKET_PATH || !this.tickets.delete(ticket)) {
      return refuseUpgrade(socket, 401, 'Unauthorized');
    }
    const info: FakeSocketConnection = { id: `conn-${(this.opened += 1)}`, open: true };
    const accepted = acceptWebSocket(req, socket, head, {
      onText: (text) => this.receive(info.id, text),
      onClose: () => this.closed(info),
    });
    if (!accepted) return;
    this.connections.push(info);
    this.live.set(info.id, { info, socket: accepted });
    accepted.sendText(
      JSON.stringify({
        type: 'hello',
        num_connections: this.live.size,
        debug_info: { host: 'fake-slack-socket', build_number: 1, approximate_connection_time: 18060 },
        connection_info: { app_id: BOT.appId },
      }),
    );
    this.emit({ kind: 'socket', event: 'open', connection: info.id });
  }

  /** The newest connection still open, if any. */
  get current(): FakeSocketConnection | undefined {
    return [...this.live.values()].at(-1)?.info;
  }

  /** A slash command (its form fields as an object); resolves with the app's ack. */
  slashCommand(payload: Record<string, string>, options: DeliverOptions = {}): Promise<FakeSocketAck> {
    return this.deliver('slash_commands', payload, { acceptsResponsePayload: true, ...options });
  }

  /** An interaction payload (block_actions and the like); resolves with the app's ack. */
  interaction(payload: Record<string, unknown>, options: DeliverOptions = {}): Promise<FakeSocketAck> {
    const accepts = payload.type !== 'block_actions' && payload.type !== 'view_closed';
    return this.deliver('interactive', payload, { acceptsResponsePayload: accepts, ...options });
  }

  /** An envelope of any type with any payload, as Slack would wrap it: for checking what the app tolerates. */
  deliver(type: string, payload: unknown, options: DeliverOptions = {}): Promise<FakeSocketAck> {
    const envelopeId = randomUUID();
    return this.sendEnvelope(
      envelopeId,
      {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: options.acceptsResponsePayload ?? false,
      },
      options.timeoutMs,
    );
  }

  /** Sends `text` as it is (not necessarily JSON) to the current connection; nothing is awaited. */
  sendRaw(text: string): void {
    const live = this.currentLive();
    if (!live) throw new Error('no Socket Mode connection is open');
    live.socket.sendText(text);
  }

  /** Asks the current connection (or every one) to reconnect, as Slack does before it recycles a socket. */
  disconnect(reason: DisconnectReason = 'refresh_requested', options: { all?: boolean } = {}): void {
    const targets = options.all
      ? [...this.live.values()]
      : [this.currentLive()].filter((l) => l !== undefined);
    if (targets.length === 0) throw new Error('no Socket Mode connection is open');
    for (const live of targets) {
      live.socket.sendText(
        JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack-socket' } }),
      );
    }
  }

  /** Drops every connection without a word (a network failure), or closes them cleanly. */
  closeAll(how: 'close' | 'terminate' = 'close'): void {
    for (const live of this.live.values()) {
      if (how === 'terminate') live.socket.terminate();
      else live.socket.close(CLOSE.goingAway, 'server stopping');
    }
  }

  /** Forgets envelopes, acks and closed connections; open connections and issued URLs stay good. */
  reset(): void {
    const open = this.connections.filter((c) => c.open);
    this.connections.splice(0, this.connections.length, ...open);
    this.envelopes.length = 0;
    this.acks.length = 0;
  }

  private currentLive(): Live | undefined {
    return [...this.live.values()].at(-1);
  }

  private sendEnvelope(
    envelopeId: string,
    envelope: Record<string, unknown>,
    timeoutMs = 5000,
  ): Promise<FakeSocketAck> {
    const live = this.currentLive();
    if (!live) return Promise.reject(new Error('no Socket Mode connection is open'));
    return new Promise<FakeSocketAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`envelope ${envelopeId} was not acknowledged within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(envelopeId, { resolve, reject, timer, connection: live.info.id });
      this.envelopes.push({
        envelope_id: envelopeId,
        type: String(envelope.type),
        connection: live.info.id,
        at: Date.now(),
      });
      live.socket.sendText(JSON.stringify(envelope));
    });
  }

  private receive(connection: string, text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      message = undefined;
    }
    const record = (message ?? {}) as { envelope_id?: unknown; payload?: unknown };
    const envelopeId = typeof record.envelope_id === 'string' ? record.envelope_id : '';
    const ack: FakeSocketAck = { envelope_id: envelopeId, connection, at: Date.now(), raw: text };
    if (record.payload !== undefined) ack.payload = record.payload;
    this.acks.push(ack);
    this.emit({ kind: 'socket', event: 'ack', connection, envelope_id: envelopeId });
    const waiting = this.pending.get(envelopeId);
    if (!waiting) return;
    this.pending.delete(envelopeId);
    clearTimeout(waiting.timer);
    waiting.resolve(ack);
  }

  private closed(info: FakeSocketConnection): void {
    info.open = false;
    this.live.delete(info.id);
    // An envelope whose connection is gone can no longer be acknowledged on it.
    for (const [envelopeId, waiting] of this.pending) {
      if (waiting.connection !== info.id) continue;
      this.pending.delete(envelopeId);
      clearTimeout(waiting.timer);
      waiting.reject(
        new Error(`connection ${info.id} closed before envelope ${envelopeId} was acknowledged`),
      );
    }
    this.emit({ kind: 'socket', event: 'close', connection: info.id });
  }
}
