/**
 * Slack mrkdwn → safe HTML for the workspace page. The Node tests load this very
 * file (see ../mrkdwn.ts), so what they check is what the browser runs.
 *
 * Safety comes from order: code and Slack's `<…>` sequences are cut out first,
 * the rest is entity-decoded once and HTML-escaped, and only then do the
 * formatting rules add tags, so no text from a message ever becomes markup.
 */
(function (root) {
  'use strict';

  /** A few shortcodes the bot and people use; unknown ones stay `:as_typed:`, as Slack shows them. */
  const EMOJI = {
    rocket: '🚀',
    lock: '🔒',
    unlock: '🔓',
    pager: '📟',
    x: '❌',
    warning: '⚠️',
    rotating_light: '🚨',
    no_entry: '⛔',
    no_entry_sign: '🚫',
    white_check_mark: '✅',
    heavy_check_mark: '✔️',
    hourglass: '⌛',
    hourglass_flowing_sand: '⏳',
    clipboard: '📋',
    leftwards_arrow_with_hook: '↩️',
    tada: '🎉',
    eyes: '👀',
    thumbsup: '👍',
    '+1': '👍',
    thumbsdown: '👎',
    '-1': '👎',
    fire: '🔥',
    package: '📦',
    gear: '⚙️',
    bell: '🔔',
    memo: '📝',
    stop_sign: '🛑',
    construction: '🚧',
    information_source: 'ℹ️',
    sparkles: '✨',
    large_green_circle: '🟢',
    red_circle: '🔴',
  };

  const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  const SLACK_ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

  /**
 * A Slack date token, `<!date^1700000000^{date_short} {time}|fallback>`, read as
 * Slack does: in the reader's own time zone and clock, like the messages' own
 * times beside it. Unknown parts keep the fallback.
 */
function slackDate(target, fallback) {
  const [, seconds, format] = target.split('^');
  const at = new Date(Number(seconds) * 1000);
  if (!format || Number.isNaN(at.getTime())) return fallback || target;
  const parts = {
    time: () => at.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' }),
    time_secs: () => at.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit', second: '2-digit' }),
    date_short: () => at.toLocaleDateString([], { month: 'short', day: 'numeric', year: 'numeric' }),
    date_short_pretty: () => at.toLocaleDateString([], { month: 'short', day: 'numeric', year: 'numeric' }),
    date: () => at.toLocaleDateString([], { month: 'long', day: 'numeric', year: 'numeric' }),
    date_pretty: () => at.toLocaleDateString([], { month: 'long', day: 'numeric', year: 'numeric' }),
    date_num: () => at.toISOString().slice(0, 10),
  };
  let known = true;
  const text = format.replace(/\{(\w+)\}/g, (whole, name) => {
    const part = parts[name];
    if (!part) known = false;
    return part ? part() : whole;
  });
  return known ? text : fallback || target;
}

function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
  }

  /** Slack's three entities, decoded in one pass: `&amp;lt;` becomes `&lt;`, never `<`. */
  function decodeEntities(text) {
    return String(text).replace(/&(?:amp|lt|gt);/g, (e) => SLACK_ENTITIES[e]);
  }

  function emojify(text) {
    return text.replace(/:([a-z0-9_+-]+):/g, (whole, name) =>
      Object.prototype.hasOwnProperty.call(EMOJI, name) ? EMOJI[name] : whole,
    );
  }

  /** `plain_text`: shown as written (no entities, no formatting), emoji shortcodes optional. */
  function renderPlain(text, emoji) {
    const html = escapeHtml(text == null ? '' : text);
    return emoji === false ? html : emojify(html);
  }

  function chip(kind, label) {
    return '<span class="mention mention-' + kind + '">' + escapeHtml(label) + '</span>';
  }

  /** One `<…>` sequence: a mention, a special mention, a date or a link. */
  function controlSequence(body, ctx) {
    const bar = body.indexOf('|');
    const target = bar === -1 ? body : body.slice(0, bar);
    const label = bar === -1 ? undefined : decodeEntities(body.slice(bar + 1));
    const users = ctx.users || {};
    const groups = ctx.usergroups || {};
    const channels = ctx.channels || {};
    if (target.startsWith('@')) {
      const user = users[target.slice(1)];
      return chip('user', '@' + (user ? user.name : label || target.slice(1)));
    }
    if (target.startsWith('#')) {
      const channel = channels[target.slice(1)];
      return chip('channel', '#' + (channel ? channel.name : label || target.slice(1)));
    }
    if (target.startsWith('!subteam^')) {
      const id = target.slice('!subteam^'.length);
      const group = groups[id];
      const name = label ? label.replace(/^@/, '') : group ? group.handle : id;
      return chip('group', '@' + name);
    }
    if (target.startsWith('!date^')) return escapeHtml(slackDate(target, label));
    if (/^!(here|channel|everyone)$/.test(target)) return chip('special', '@' + target.slice(1));
    if (/^(https?:\/\/|mailto:)/i.test(target)) {
      const href = decodeEntities(target);
      return (
        '<a href="' +
        escapeHtml(href) +
        '" target="_blank" rel="noopener noreferrer">' +
        escapeHtml(label || href) +
        '</a>'
      );
    }
    // Not a sequence Slack knows: shown as it came, brackets and all.
    return escapeHtml(decodeEntities('<' + body + '>'));
  }

  /** Bold, italic and strike where Slack sees them: markers hugging text, not inside words. */
  function format(html) {
    return html
      .replace(/(?<![\w*])\*(?!\s)([^*\n]*?[^\s*])\*(?![\w*])/g, '<b>$1</b>')
      .replace(/(?<![\w_])_(?!\s)([^_\n]*?[^\s_])_(?![\w_])/g, '<i>$1</i>')
      .replace(/(?<![\w~])~(?!\s)([^~\n]*?[^\s~])~(?![\w~])/g, '<s>$1</s>');
  }

  /**
   * `ctx`: `{ users: {U1: {name}}, usergroups: {S1: {handle}}, channels: {C1: {name}} }`,
   * so mentions read as names. Answers HTML that is safe to put into the page.
   */
  function renderMrkdwn(text, ctx) {
    const pieces = [];
    // Private-use characters mark the pieces cut out; any in the text itself are dropped.
    const keep = (html) => '\ue000' + (pieces.push(html) - 1) + '\ue001';
    let source = String(text == null ? '' : text).replace(/[\ue000\ue001]/g, '');
    source = source.replace(/```\n?([\s\S]*?)```/g, (_, code) =>
      keep('<pre class="code-block">' + escapeHtml(decodeEntities(code)) + '</pre>'),
    );
    source = source.replace(/`([^`\n]+)`/g, (_, code) =>
      keep('<code>' + escapeHtml(decodeEntities(code)) + '</code>'),
    );
    source = source.replace(/<([^<>\n]+)>/g, (_, body) => keep(controlSequence(body, ctx || {})));
    let html = format(emojify(escapeHtml(decodeEntities(source))));
    html = html
      .split('\n')
      .map((line) => (line.startsWith('&gt; ') ? '<span class="quote">' + line.slice(5) + '</span>' : line))
      .join('<br>');
    return html.replace(/\ue000(\d+)\ue001/g, (_, i) => pieces[Number(i)]);
  }

  root.SlackMrkdwn = { renderMrkdwn, renderPlain, escapeHtml, decodeEntities, emojify, EMOJI };
})(globalThis);
