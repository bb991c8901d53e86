/**
 * Signed Slack requests for the tests. The code lives in src/sandbox so the local
 * workspace page sends exactly what the tests send.
 */
export * from '../../src/sandbox/slack-payloads';

/**
 * POSTs `body` with exactly the headers given (none added, no signing): for
 * requests Slack would never send, such as an absent signature or an unknown
 * content type. Answers the status and body text.
 */
export async function postRaw(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body,
    ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
  });
  return { status: response.status, body: await response.text() };
}
