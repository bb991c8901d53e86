import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeSlackApi } from '../fake-slack-api';

/** Comments keep proxies and browsers from closing an idle stream. */
const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /api/events`: Server-Sent Events telling pages that the fake Slack changed,
 * so they fetch the state again. A burst of changes (the bot updating a message
 * while posting thread replies) becomes one `changed` event per `delayMs`; the
 * first change of a burst starts the wait and later ones do not push it back, so
 * a bot that never stops talking still gets its page refreshed.
 */
export class ChangeStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly unsubscribe: () => void;
  private pending: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;
  private seq = 0;

  constructor(
    slack: FakeSlackApi,
    private readonly delayMs = 100,
  ) {
    this.unsubscribe = slack.onChange(() => this.schedule());
  }

  get size(): number {
    return this.clients.size;
  }

  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    });
    // `retry`: how soon the browser reconnects by itself; the page polls meanwhile.
    res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.clients.delete(res));
    if (!this.keepAlive) {
      this.keepAlive = setInterval(() => this.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
      this.keepAlive.unref();
    }
  }

  close(): void {
    this.unsubscribe();
    clearTimeout(this.pending);
    clearInterval(this.keepAlive);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.seq += 1;
      this.write(`event: changed\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
    }, this.delayMs);
    this.pending.unref();
  }

  private write(chunk: string): void {
    for (const res of this.clients) res.write(chunk);
  }
}
