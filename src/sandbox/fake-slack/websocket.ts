import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Just enough of RFC 6455 for one fake server on loopback: the opening
 * handshake, masked client frames in, unmasked text frames out, ping answered
 * with pong, and the closing handshake. No extensions are agreed (a client
 * offering permessage-deflate gets none), so frames are never compressed.
 * Written here rather than taken from a package because the sandbox is the only
 * WebSocket server in the project and needs nothing more.
 */

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** Close codes used here (RFC 6455 section 7.4.1). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  tooBig: 1009,
} as const;

export interface WebSocketHandlers {
  /** A whole text message (fragments joined). Binary messages are ignored, as Slack's client ignores them. */
  onText(text: string): void;
  /** Once, when the TCP connection is gone, whichever side closed it. */
  onClose(code: number | undefined): void;
}

/** A message larger than this closes the connection with 1009: acks are a few kilobytes. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Answers an HTTP upgrade as a WebSocket server; undefined (and the socket
 * answered 400 and closed) when it is not a version-13 WebSocket handshake.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  handlers: WebSocketHandlers,
): WebSocketConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  const isUpgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
  if (!isUpgrade || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
    refuseUpgrade(socket, 400, 'Bad Request');
    return undefined;
  }
  const accept = createHash('sha1').update(`${key}${ACCEPT_GUID}`).digest('base64');
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return new WebSocketConnection(socket, head, handlers);
}

/** Answers an upgrade request with a plain HTTP status and closes it. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export class WebSocketConnection {
  private buffer: Buffer;
  private fragments: Buffer[] = [];
  private fragmentOpcode: number | undefined;
  private closeSent = false;
  private closed = false;
  private closeCode: number | undefined;

  constructor(
    private readonly socket: Duplex,
    head: Buffer,
    private readonly handlers: WebSocketHandlers,
  ) {
    this.buffer = Buffer.from(head);
    socket.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.readFrames();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.finish());
    if (this.buffer.length > 0) queueMicrotask(() => this.readFrames());
  }

  get isOpen(): boolean {
    return !this.closed && !this.closeSent;
  }

  sendText(text: string): void {
    if (!this.isOpen) return;
    this.socket.write(frame(OPCODE.text, Buffer.from(text, 'utf8')));
  }

  /** Starts the closing handshake; the peer answers with its own close frame, then TCP ends. */
  close(code: number = CLOSE.normal, reason = ''): void {
    if (this.closeSent || this.closed) return;
    this.closeSent = true;
    const body = Buffer.alloc(2 + Buffer.byteLength(reason));
    body.writeUInt16BE(code, 0);
    body.write(reason, 2);
    this.socket.write(frame(OPCODE.close, body));
    // A peer that never answers the close frame is not waited for long.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** Drops the TCP connection without a closing handshake, as a network failure would. */
  terminate(): void {
    this.socket.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers.onClose(this.closeCode);
  }

  private readFrames(): void {
    for (;;) {
      if (this.closed) return;
      const parsed = parseFrame(this.buffer);
      if (parsed === 'incomplete') return;
      if (typeof parsed === 'number') return this.failConnection(parsed);
      this.buffer = this.buffer.subarray(parsed.length);
      this.handleFrame(parsed.fin, parsed.opcode, parsed.payload);
    }
  }

  private handleFrame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.ping:
        if (!this.closeSent) this.socket.write(frame(OPCODE.pong, payload));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close:
        this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : undefined;
        if (!this.closeSent) {
          this.closeSent = true;
          this.socket.write(frame(OPCODE.close, payload.subarray(0, 2)));
        }
        this.socket.end();
        return;
      case OPCODE.text:
      case OPCODE.binary:
        if (this.fragmentOpcode !== undefined) return this.failConnection(CLOSE.protocolError);
        this.fragmentOpcode = opcode;
        break;
      case OPCODE.continuation:
        if (this.fragmentOpcode === undefined) return this.failConnection(CLOSE.protocolError);
        break;
      default:
        return this.failConnection(CLOSE.protocolError);
    }
    this.fragments.push(payload);
    const size = this.fragments.reduce((sum, part) => sum + part.length, 0);
    if (size > MAX_MESSAGE_BYTES) return this.failConnection(CLOSE.tooBig);
    if (!fin) return;
    const message = Buffer.concat(this.fragments);
    const wasText = this.fragmentOpcode === OPCODE.text;
    this.fragments = [];
    this.fragmentOpcode = undefined;
    if (wasText) this.handlers.onText(message.toString('utf8'));
  }

  private failConnection(code: number): void {
    this.close(code);
    this.socket.end();
  }
}

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
  /** Bytes the frame took in the buffer. */
  length: number;
}

/** One client frame from the front of `buffer`, 'incomplete', or the close code for a bad one. */
function parseFrame(buffer: Buffer): Frame | 'incomplete' | number {
  if (buffer.length < 2) return 'incomplete';
  const first = buffer[0] as number;
  const second = buffer[1] as number;
  // Clients must mask every frame and no extension was agreed, so no RSV bit may be set.
  if ((second & 0x80) === 0 || (first & 0x70) !== 0) return CLOSE.protocolError;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return 'incomplete';
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return 'incomplete';
    const big = buffer.readBigUInt64BE(2);
    if (big > BigInt(MAX_MESSAGE_BYTES)) return CLOSE.tooBig;
    length = Number(big);
    offset = 10;
  }
  if (length > MAX_MESSAGE_BYTES) return CLOSE.tooBig;
  if (buffer.length < offset + 4 + length) return 'incomplete';
  const mask = buffer.subarray(offset, offset + 4);
  const payload = Buffer.from(buffer.subarray(offset + 4, offset + 4 + length));
  for (let i = 0; i < payload.length; i += 1) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return { fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload, length: offset + 4 + length };
}

/** A final, unmasked server frame. */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = length;
  else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}
