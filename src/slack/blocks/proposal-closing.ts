import type { ProposalClosing, Release } from '../../domain/release';
import { slackTime } from './release-format';
import { escapeTruncated } from './text';

const ICON: Record<ProposalClosing['how'], string> = {
  superseded: '⏭️',
  withdrawn: '↪️',
  expired: '⌛',
};

/** What the reader can do next, after each kind of closing. */
const NEXT: Record<ProposalClosing['how'], string> = {
  superseded: 'Nothing was changed. If a rollback is still needed, propose one with `/rollback`.',
  withdrawn: 'Nothing was changed.',
  expired: 'Nothing was changed. Propose again with `/rollback` if it is still needed.',
};

/** A proposal that ended undecided: superseded, withdrawn or expired. */
export function closingOf(release: Release): ProposalClosing | undefined {
  return release.state === 'cancelled' ? release.proposal?.closed : undefined;
}

/** "⏭️ *Superseded by v1.3.0 (r…): backend-service now runs backend:9, not backend:8* (10:32). Nothing was changed. …" */
export function closingLine(closing: ProposalClosing): string {
  const text = closing.text.charAt(0).toUpperCase() + closing.text.slice(1);
  return `${ICON[closing.how]} *${escapeTruncated(text, 1000)}* (${slackTime(closing.at)}). ${NEXT[closing.how]}`;
}

/** Approved, its start under way: the buttons go as soon as one click has claimed the decision. */
export function claimedBy(release: Release): { by: string; at: number } | undefined {
  return release.state === 'awaiting_start' ? release.proposal?.approvedBy : undefined;
}
