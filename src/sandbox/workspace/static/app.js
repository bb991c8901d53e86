/* global document, window, localStorage, fetch, EventSource, setInterval, clearInterval, CustomEvent */
/**
 * The workspace page: fetches what one person sees of the channel, draws it,
 * and redraws whenever the server says the fake Slack changed (Server-Sent
 * Events, with polling while the stream is down). Sending commands and clicks
 * lives in actions.js, which calls `Workspace.refresh` and reads `Workspace.state`.
 */
(function () {
  'use strict';
  const M = window.SlackMrkdwn;
  const B = window.SlackBlocks;
  const settings = JSON.parse(document.getElementById('workspace-config').textContent);
  const STORAGE_KEY = 'deploybot-sandbox.persona';
  const $ = (selector) => document.querySelector(selector);

  const ws = {
    state: undefined,
    me: pickPersona(localStorage.getItem(STORAGE_KEY)),
    thread: undefined,
    refresh,
    setPersona,
    openThread,
    closeThread,
    findMessage,
  };
  window.Workspace = ws;

  function pickPersona(id) {
    return settings.personas.some((p) => p.id === id) ? id : settings.personas[0].id;
  }

  function setPersona(id) {
    ws.me = pickPersona(id);
    localStorage.setItem(STORAGE_KEY, ws.me);
    drawPersonas();
    refresh();
  }

  function drawPersonas() {
    const persona = settings.personas.find((p) => p.id === ws.me);
    for (const button of document.querySelectorAll('.persona')) {
      button.setAttribute('aria-pressed', String(button.dataset.user === ws.me));
    }
    $('#composer').placeholder =
      'Message #' + settings.channel.name + ' as ' + persona.name + ' — try /deploy help';
    // What the bot lets this person do, when the server knows its rules.
    const may = persona.may
      ? persona.may.length
        ? ' · may ' + persona.may.join(', ')
        : ' · watch only'
      : '';
    $('#me').textContent = persona.name + ' · ' + persona.role + may;
  }

  /** Mentions need names: `<@U0REQUESTER>` reads `@riley`. */
  function context(state) {
    const channels = {};
    for (const c of state.channels) channels[c.id] = c;
    return { users: state.users, usergroups: state.usergroups, channels };
  }

  /** A message (top level or in a thread) or one of my ephemerals, by ts. */
  function findMessage(ts) {
    const state = ws.state;
    if (!state) return undefined;
    for (const m of state.messages) {
      if (m.ts === ts) return m;
      const reply = m.replies.find((r) => r.ts === ts);
      if (reply) return reply;
    }
    return state.ephemerals.find((e) => e.ts === ts);
  }

  function time(ts) {
    return new Date(Number(ts.split('.')[0]) * 1000).toLocaleTimeString([], {
      hour: 'numeric',
      minute: '2-digit',
    });
  }

  function day(ts) {
    return new Date(Number(ts.split('.')[0]) * 1000).toLocaleDateString([], {
      weekday: 'long',
      month: 'long',
      day: 'numeric',
    });
  }

  function messageHtml(message, ctx, options) {
    const ephemeral = options.ephemeral;
    const edited = message.edited ? '<span class="edited">(edited)</span>' : '';
    let thread = '';
    if (options.threadLink && message.reply_count) {
      const n = message.reply_count;
      thread =
        '<button type="button" class="thread-link" data-thread="' +
        M.escapeHtml(message.ts) +
        '" data-testid="thread-' +
        M.escapeHtml(message.ts) +
        '">' +
        n +
        (n === 1 ? ' reply' : ' replies') +
        '</button><span class="thread-last">Last reply ' +
        time(message.latest_reply || message.ts) +
        '</span>';
    }
    // A reply also sent to the channel says, above it there, which thread it is from;
    // the line opens that thread (no `thread-…` test id: those are the reply-count links).
    const broadcast = options.broadcastOf
      ? '<button type="button" class="broadcast-context" data-thread="' +
        M.escapeHtml(options.broadcastOf.ts) +
        '" data-testid="broadcast-thread-' +
        M.escapeHtml(message.ts) +
        '">replied to a thread: <span class="broadcast-root">' +
        M.escapeHtml(clip(options.broadcastOf.text, 80) || 'view thread') +
        '</span></button>'
      : '';
    return (
      '<div class="message' +
      (ephemeral ? ' ephemeral' : '') +
      (broadcast ? ' broadcast' : '') +
      // The thread's root shows twice (channel and panel), and so does a broadcast reply
      // (channel and thread): their second copies get their own test ids.
      '" data-testid="' +
      (options.threadRoot ? 'thread-root-' : options.broadcastOf ? 'broadcast-' : 'message-') +
      M.escapeHtml(message.ts) +
      '">' +
      broadcast +
      '<div class="avatar bot" aria-hidden="true">🚀</div><div class="message-main">' +
      '<div class="message-meta"><span class="author">' +
      M.escapeHtml(ws.state.bot.name) +
      '</span><span class="badge">APP</span><time title="' +
      M.escapeHtml(message.ts) +
      '">' +
      time(message.ts) +
      '</time>' +
      (ephemeral ? '<span class="only-you">👁 Only visible to you</span>' : '') +
      '</div>' +
      '<div class="message-body">' +
      B.messageBody(message, ctx) +
      edited +
      '</div>' +
      (thread ? '<div class="thread-summary">' + thread + '</div>' : '') +
      '</div></div>'
    );
  }

  /** The start of a message's text on one line, for "replied to a thread: …". */
  function clip(text, max) {
    const line = String(text || '')
      .replace(/\s+/g, ' ')
      .trim();
    return line.length > max ? line.slice(0, max - 1).trimEnd() + '…' : line;
  }

  /** Redraws a list only when its HTML changed, keeping the reader's place unless they were at the end. */
  function fill(container, html, forceBottom) {
    if (container.dataset.html === html) return;
    const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
    container.innerHTML = html;
    container.dataset.html = html;
    if (atBottom || forceBottom) container.scrollTop = container.scrollHeight;
  }

  function render() {
    const state = ws.state;
    const ctx = context(state);
    const items = state.messages
      .map((m) => ({ ts: m.ts, html: messageHtml(m, ctx, { threadLink: true }) }))
      .concat(
        // Replies sent with reply_broadcast show in the channel too, where they were posted in time.
        state.messages.flatMap((m) =>
          m.replies
            .filter((r) => r.subtype === 'thread_broadcast')
            .map((r) => ({ ts: r.ts, html: messageHtml(r, ctx, { broadcastOf: m }) })),
        ),
      )
      .concat(
        state.ephemerals
          .filter((e) => !e.thread_ts)
          .map((e) => ({ ts: e.ts, html: messageHtml(e, ctx, { ephemeral: true }) })),
      )
      .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    let lastDay = '';
    const html = items
      .map((item) => {
        const d = day(item.ts);
        const divider = d === lastDay ? '' : '<div class="day-divider"><span>' + d + '</span></div>';
        lastDay = d;
        return divider + item.html;
      })
      .join('');
    const list = $('#messages');
    const grew = items.length > Number(list.dataset.count || 0);
    list.dataset.count = String(items.length);
    fill(
      list,
      html ||
        '<div class="empty">Nothing here yet. Type <code>/deploy help</code> below to talk to deploybot.</div>',
      grew,
    );
    renderThread(ctx);
  }

  function renderThread(ctx) {
    const panel = $('#thread-panel');
    const root = ws.thread && ws.state.messages.find((m) => m.ts === ws.thread);
    panel.hidden = !root;
    document.body.classList.toggle('thread-open', Boolean(root));
    if (!root) return;
    const replies = root.replies
      .map((r) => ({ ts: r.ts, html: messageHtml(r, ctx, {}) }))
      .concat(
        ws.state.ephemerals
          .filter((e) => e.thread_ts === root.ts)
          .map((e) => ({ ts: e.ts, html: messageHtml(e, ctx, { ephemeral: true }) })),
      )
      .sort((a, b) => (a.ts < b.ts ? -1 : 1));
    const count = replies.length;
    const list = $('#thread-messages');
    const grew = count > Number(list.dataset.count || 0);
    list.dataset.count = String(count);
    fill(
      list,
      messageHtml(root, ctx, { threadRoot: true }) +
        '<div class="thread-count">' +
        count +
        (count === 1 ? ' reply' : ' replies') +
        '</div>' +
        replies.map((r) => r.html).join(''),
      grew,
    );
  }

  function openThread(ts) {
    ws.thread = ts;
    $('#thread-messages').dataset.count = '0';
    if (ws.state) renderThread(context(ws.state));
  }

  function closeThread() {
    ws.thread = undefined;
    if (ws.state) renderThread(context(ws.state));
  }

  // One fetch at a time; a change during a fetch asks for one more afterwards.
  let inFlight = false;
  let again = false;
  async function refresh() {
    if (inFlight) return void (again = true);
    inFlight = true;
    // The persona may change while this fetch is out: what is drawn is whose it was.
    const viewer = ws.me;
    try {
      const response = await fetch('/api/state?user=' + encodeURIComponent(viewer), { cache: 'no-store' });
      if (response.ok) {
        ws.state = await response.json();
        render();
        // Whose channel view is on screen (their ephemerals), for tests that switch persona.
        $('#messages').dataset.viewer = viewer;
        // For what draws itself from the state outside the channel (modal.js).
        document.dispatchEvent(new CustomEvent('workspace:state', { detail: ws.state }));
        $('#connection').dataset.state = 'ok';
      }
    } catch {
      $('#connection').dataset.state = 'down';
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        refresh();
      }
    }
  }

  // Server-Sent Events while they work; every 2 s while the stream is down.
  let poller;
  function listen() {
    const events = new EventSource('/api/events');
    events.addEventListener('changed', () => refresh());
    events.addEventListener('open', () => {
      clearInterval(poller);
      poller = undefined;
      refresh();
    });
    events.addEventListener('error', () => {
      if (!poller) poller = setInterval(refresh, 2000);
    });
  }

  drawPersonas();
  refresh();
  listen();
})();
