/**
 * Text for Block Kit: escaping and trimming that never breaks what Slack parses.
 *
 * Lengths are counted in UTF-16 code units (`string.length`), as `blockKitProblems`
 * counts them; that is never fewer than Slack's own count, so staying within it
 * is always safe. A cut never splits a surrogate pair, an HTML entity (`&amp;`)
 * or a Slack control sequence (`<@U123>`).
 */
export const ELLIPSIS = '…';

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** `1,234` — counts in notes read better grouped. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1 line`, `2 lines`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** At most `max` code units: the start of `text`, ending in '…' when anything was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = max - ELLIPSIS.length;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end) + ELLIPSIS;
}

/** At most `max` code units: the end of `text`, starting with '…' when anything was cut. */
export function truncateStart(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let start = text.length - (max - ELLIPSIS.length);
  if (start < text.length && isLowSurrogate(text.charCodeAt(start))) start += 1;
  return ELLIPSIS + text.slice(start);
}

/** Slack's three control characters as entities; everything user-provided goes through this. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** User and user-group mentions (`<@U123>`, `<!subteam^S123>`, `<!subteam^S123|@ops>`). */
const MENTION = /<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+(?:\|[\w.-]*)?|!subteam\^S[A-Z0-9]+(?:\|@?[\w.-]+)?)>/g;

/**
 * Escapes text that may already carry mentions built by us (an authorization
 * rule such as "only <!subteam^S1> may deploy"): the mentions stay, every other
 * `&`, `<` and `>` is escaped, so no `<!channel>` or link can slip through.
 */
export function escapeKeepingMentions(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    out += escapeMrkdwn(text.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + escapeMrkdwn(text.slice(last));
}

/**
 * Escapes characters of `chars` from the start (or the end) while the escaped
 * text fits in `budget` code units; never splits a character or an entity.
 */
function takeEscaped(
  chars: readonly string[],
  budget: number,
  from: 'start' | 'end',
): { text: string; taken: number } {
  const pieces: string[] = [];
  let size = 0;
  for (let i = 0; i < chars.length; i += 1) {
    const piece = escapeMrkdwn(chars[from === 'start' ? i : chars.length - 1 - i] as string);
    if (size + piece.length > budget) break;
    pieces.push(piece);
    size += piece.length;
  }
  if (from === 'end') pieces.reverse();
  return { text: pieces.join(''), taken: pieces.length };
}

/** Escaped `text` in at most `max` code units, keeping the start and ending in '…' when cut. */
export function escapeTruncated(text: string, max: number): string {
  // Escaping never shortens, so nothing past the first `max` code units can be kept.
  const head = text.length > max ? text.slice(0, max) : text;
  const escaped = escapeMrkdwn(head);
  if (escaped.length <= max && head === text) return escaped;
  if (max <= 0) return '';
  return takeEscaped(Array.from(head), max - ELLIPSIS.length, 'start').text + ELLIPSIS;
}

/** Escaped `text` in at most `max` code units, keeping the end and starting with '…' when cut. */
export function escapeTail(text: string, max: number): string {
  const tail = text.length > max ? text.slice(-max) : text;
  const escaped = escapeMrkdwn(tail);
  if (escaped.length <= max && tail === text) return escaped;
  if (max <= 0) return '';
  return ELLIPSIS + takeEscaped(Array.from(tail), max - ELLIPSIS.length, 'end').text;
}

/**
 * Mrkdwn we built ourselves, cut to `max` code units. Backs off from a cut that
 * would leave half an entity or half a `<…>` sequence behind.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = truncate(text, max).slice(0, -ELLIPSIS.length);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return cut + ELLIPSIS;
}

/** The note that says how much of a text was left out. */
export function trimmedNote(characters: number): string {
  return `_${ELLIPSIS} ${plural(characters, 'more character')} trimmed_`;
}

/** Room the longest note needs, counts of any size included. */
const NOTE_ROOM = 80;

/**
 * Escaped `text` in at most `max` code units (`max` >= 100). When it does not
 * fit, keeps the start and says on a line of its own how many characters were
 * left out.
 */
export function escapeWithNote(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const chars = Array.from(text);
  const kept = takeEscaped(chars, Math.max(0, max - NOTE_ROOM - ELLIPSIS.length), 'start');
  return `${kept.text}${ELLIPSIS}\n${trimmedNote(chars.length - kept.taken)}`;
}

export type Keep = 'first' | 'last';

/**
 * Lines as a ``` block of at most `maxChars` code units (`maxChars` >= 200).
 * Lines are escaped here, and a line cannot close the block early. `keep:
 * 'last'` (the default, for log tails, whose end matters most) drops the
 * earliest lines; `'first'` drops the latest. What was dropped is said in an
 * italic note outside the block.
 */
export function codeBlock(lines: readonly string[], maxChars: number, keep: Keep = 'last'): string {
  const raw = lines
    .flatMap((l) => l.split('\n'))
    .map((l) => l.replace(/\r$/, '').replace(/```/g, '`\u200b`\u200b`'));
  while (raw.length > 0 && raw[keep === 'last' ? 0 : raw.length - 1]?.trim() === '') {
    if (keep === 'last') raw.shift();
    else raw.pop();
  }
  if (raw.length === 0) return '_(no output)_';
  const fence = (body: string) => '```\n' + body + '\n```';
  const escaped = raw.map(escapeMrkdwn);
  const whole = fence(escaped.join('\n'));
  if (whole.length <= maxChars) return whole;

  const budget = maxChars - NOTE_ROOM - fence('').length;
  const order = keep === 'last' ? [...escaped.keys()].reverse() : [...escaped.keys()];
  const kept: string[] = [];
  let size = 0;
  for (const i of order) {
    const line = escaped[i] as string;
    const add = line.length + (kept.length > 0 ? 1 : 0);
    if (size + add > budget) break;
    kept.push(line);
    size += add;
  }
  let trimmedChars = 0;
  if (kept.length === 0) {
    // One line longer than the whole block: keep its end (or its start).
    const chars = Array.from(raw[order[0] as number] as string);
    const part = takeEscaped(chars, budget - ELLIPSIS.length, keep === 'last' ? 'end' : 'start');
    kept.push(keep === 'last' ? ELLIPSIS + part.text : part.text + ELLIPSIS);
    trimmedChars = chars.length - part.taken;
  }
  const droppedLines = raw.length - kept.length;
  const notes: string[] = [];
  if (droppedLines > 0) {
    notes.push(`${plural(droppedLines, keep === 'last' ? 'earlier line' : 'more line')} not shown`);
  }
  if (trimmedChars > 0) notes.push(`${plural(trimmedChars, 'more character')} trimmed`);
  const note = `_${ELLIPSIS} ${notes.join('; ')}_`;
  if (keep === 'last') kept.reverse();
  const block = fence(kept.join('\n'));
  return keep === 'last' ? `${note}\n${block}` : `${block}\n${note}`;
}
