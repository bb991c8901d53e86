/**
 * Signed Slack requests for the tests. The code lives in src/sandbox so the local
 * workspace page sends exactly what the tests send.
 */
export * from '../../src/sandbox/slack-payloads';
