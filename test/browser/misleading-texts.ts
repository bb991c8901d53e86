/**
 * Texts the channel showed before issue 10 and must never show again: each
 * told a reader something untrue or unreadable.
 */
export const MISLEADING_TEXTS: readonly { text: string; why: string }[] = [
  { text: 'n/a/min', why: 'a baseline rate without a figure' },
  { text: 'n/a%', why: 'a baseline percentage without a figure' },
  { text: 'is already succeeded', why: 'a state word where a sentence belongs' },
  { text: 'preflight_failed', why: 'an internal code instead of words' },
  {
    text: 'awaiting start (checklist)',
    why: 'a rollback proposal listed as a release awaiting its checklist',
  },
];

/** A raw Slack user id in shown text: mentions must read as names (@riley), never U0REQUESTER. */
export const RAW_USER_ID = /\bU0[A-Z]{4,}\b/;

/**
 * A script for the page (Playwright's addInitScript): on every change it reads
 * what the page shows and records each misleading text once in
 * `window.__misleading`, with the text around it. Besides the fixed texts: a
 * release message in the channel saying "all clear" while a rollback of that
 * version is proposed and undecided (its "Approve rollback" is on the page).
 */
export const MISLEADING_WATCH = `(() => {
  const texts = ${JSON.stringify(MISLEADING_TEXTS)};
  const rawId = ${RAW_USER_ID.toString()};
  const seen = (window.__misleading = []);
  const once = new Set();
  const note = (what, where) => {
    if (once.has(what)) return;
    once.add(what);
    seen.push({ what, around: where.slice(0, 600) });
  };
  const around = (text, index) => text.slice(Math.max(0, index - 200), index + 200);
  const check = () => {
    const body = document.body ? document.body.innerText : '';
    for (const { text, why } of texts) {
      const at = body.indexOf(text);
      if (at >= 0) note(text + ' (' + why + ')', around(body, at));
    }
    const id = body.match(rawId);
    if (id) note('raw user id ' + id[0], around(body, id.index));
    // Open proposals: a message with "Approve rollback", named by the version it would revert.
    const proposals = [...document.querySelectorAll('[data-testid="action-rollback_approve"]')]
      .map((b) => b.closest('.message'))
      .filter(Boolean)
      .map((m) => (m.innerText.match(/v\\d+\\.\\d+\\.\\d+[\\w.-]*/) || [])[0])
      .filter(Boolean);
    for (const version of new Set(proposals)) {
      for (const m of document.querySelectorAll('#messages .message')) {
        const text = m.innerText;
        if (text.includes(version) && /all clear/i.test(text))
          note('"all clear" beside an open rollback proposal of ' + version, text);
      }
    }
  };
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      check();
    });
  }).observe(document, { subtree: true, childList: true, characterData: true });
})();`;
