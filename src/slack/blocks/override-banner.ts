import type { Release } from '../../domain/release';
import { FALLBACK_TEXT_MAX, section, type Block, type Message } from './block';
import { slackTime, who } from './release-format';
import { escapeTruncated, truncateMrkdwn } from './text';

const REASON_MAX = 500;
const RULE_MAX = 600;

/**
 * The break-glass line: who released against which rule, and why. The same
 * words head the release's message (a banner nobody scrolls past) and the
 * notice to the channel, so that what was overridden is never a secret.
 */
export function overrideLine(release: Release): string | undefined {
  const o = release.override;
  if (!o) return undefined;
  return (
    `🚨 *Break-glass:* ${who(o.by)} overrode the release policy at ${slackTime(o.at, 'datetime')} — ` +
    `${escapeTruncated(o.overrode, RULE_MAX)}. Reason: “${escapeTruncated(o.reason, REASON_MAX)}”`
  );
}

/** The banner block for the release's message; none for a release within policy. */
export function overrideBanner(release: Release): Block[] {
  const line = overrideLine(release);
  return line ? [section(line)] : [];
}

/** The notice in the release's thread, broadcast to the channel. */
export function overrideNotice(release: Release): Message {
  const line = overrideLine(release) ?? '';
  const what = `${escapeTruncated(release.app, 80)} ${escapeTruncated(release.version, 80)} → ${escapeTruncated(release.environment, 80)}`;
  const text = `Break-glass release of ${what}: ${release.override?.overrode ?? ''}`;
  return {
    text: truncateMrkdwn(text, FALLBACK_TEXT_MAX),
    blocks: [section(`${line}\nRelease: ${what} (\`${escapeTruncated(release.id, 60)}\`)`)],
  };
}
