/**
 * Text typed in Slack, made safe to parse and to echo back: control characters
 * (C0, DEL, C1) and bidirectional overrides, isolates and marks are dropped, so
 * an echoed app name or lock reason can neither break a message's layout nor
 * display reordered (a "Trojan Source" style reversal). Control characters that
 * separate words (tab, line and page breaks) become a space, so
 * "v1.2.0\nbackend" still reads as two words rather than one.
 */
export function plainText(text: string): string {
  return text.replace(WORD_BREAKING_CONTROLS, ' ').replace(INVISIBLE_CONTROLS, '');
}

/** Tab, LF, VT, FF, CR, NEL, and the Unicode line and paragraph separators. */
const WORD_BREAKING_CONTROLS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;

/**
 * The rest of C0 and C1, DEL, the bidi embeddings and overrides (U+202A–U+202E),
 * isolates (U+2066–U+2069) and marks (U+200E, U+200F, U+061C).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
