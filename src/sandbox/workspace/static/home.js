/* global document, window, fetch, EventSource, MutationObserver */
/**
 * The app's Home tab beside the channel. Opening it is what opening an app's
 * Home tab in Slack is: the server tells the bot (`app_home_opened`, signed)
 * and the tab shows the view the bot published for this person with
 * views.publish, drawn by blocks.js. It is fetched again whenever the fake
 * Slack changes (the bot republishes when releases change), and opened anew
 * for whoever the page switches to.
 */
(function () {
  'use strict';
  const B = window.SlackBlocks;
  const ws = window.Workspace;
  const $ = (selector) => document.querySelector(selector);

  let open = false;
  /** Whom the bot was last told opened Home. */
  let openedFor;
  let events;

  function show(home) {
    open = home;
    document.body.classList.toggle('home-open', home);
    $('#home').hidden = !home;
    $('#open-home').classList.toggle('active', home);
    $('#open-channel').classList.toggle('active', !home);
  }

  /** Mentions need names, as in the channel. */
  function context() {
    const state = ws.state || { users: {}, usergroups: {}, channels: [] };
    const channels = {};
    for (const c of state.channels) channels[c.id] = c;
    return { users: state.users, usergroups: state.usergroups, channels };
  }

  function draw(view) {
    const target = $('#home-view');
    const html =
      view && Array.isArray(view.blocks)
        ? B.blocks(view.blocks, 'home', context())
        : '<div class="empty">deploybot has not published a Home tab for you yet…</div>';
    if (target.dataset.html !== html) {
      target.innerHTML = html;
      target.dataset.html = html;
    }
  }

  async function load() {
    const response = await fetch('/api/home?user=' + encodeURIComponent(ws.me), { cache: 'no-store' });
    if (response.ok) draw((await response.json()).view);
  }

  async function openHome() {
    show(true);
    openedFor = ws.me;
    draw(undefined);
    await fetch('/api/home', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: ws.me }),
    });
    await load();
    if (!events) {
      // Whatever changes in the fake Slack (a views.publish among them), look again.
      events = new EventSource('/api/events');
      events.addEventListener('changed', () => open && load());
    }
  }

  $('#open-home').addEventListener('click', () => openHome());
  $('#open-channel').addEventListener('click', () => show(false));
  // The persona switch rewrites #me: whoever the page is now opens their own Home.
  new MutationObserver(() => {
    if (open && ws.me !== openedFor) openHome();
  }).observe($('#me'), { childList: true, characterData: true, subtree: true });
})();
