/* global document, window, fetch, setTimeout, Element, HTMLInputElement */
/**
 * What the person on the page does: slash commands from the composer, button
 * clicks (through Slack's confirm dialog when the button has one), checkbox
 * ticks, the persona switch and the thread panel. The server turns commands and
 * clicks into signed Slack requests; the page only says who did what where.
 */
(function () {
  'use strict';
  const B = window.SlackBlocks;
  const ws = window.Workspace;
  const $ = (selector) => document.querySelector(selector);

  function toast(message, kind) {
    const item = document.createElement('div');
    item.className = 'toast' + (kind ? ' toast-' + kind : '');
    item.setAttribute('role', 'status');
    item.textContent = message;
    $('#toasts').appendChild(item);
    setTimeout(() => item.remove(), 6000);
  }

  async function post(path, body) {
    try {
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.assign({ user: ws.me }, body)),
      });
      const answer = await response.json();
      if (!response.ok || !answer.ok) {
        const why =
          answer.message || (answer.status ? 'deploybot answered HTTP ' + answer.status : answer.error);
        toast(why || 'Something went wrong (HTTP ' + response.status + ')', 'error');
      }
      return answer;
    } catch (error) {
      toast('The workspace server is not answering: ' + error.message, 'error');
      return { ok: false };
    }
  }

  // ----- composer: slash commands, with ↑/↓ through what was sent before -----
  const history = [];
  let back = 0;
  const composer = $('#composer');

  $('#composer-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = composer.value.trim();
    if (!text) return;
    if (!text.startsWith('/')) {
      toast('Only slash commands reach deploybot here. Try /deploy help.', 'error');
      return;
    }
    history.push(text);
    back = 0;
    $('#send').disabled = true;
    const answer = await post('/api/command', { text });
    $('#send').disabled = false;
    if (answer.ok) composer.value = '';
    composer.focus();
    ws.refresh();
  });

  composer.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    if (history.length === 0) return;
    event.preventDefault();
    back = Math.max(0, Math.min(history.length, back + (event.key === 'ArrowUp' ? 1 : -1)));
    composer.value = back === 0 ? '' : history[history.length - back];
  });

  for (const hint of document.querySelectorAll('.hint')) {
    hint.addEventListener('click', () => {
      composer.value = hint.dataset.fill;
      composer.focus();
    });
  }

  // ----- Slack's confirm dialog -----
  let decide;
  function confirmFirst(confirm) {
    const ctx = ws.state ? { users: ws.state.users, usergroups: ws.state.usergroups } : {};
    $('#confirm-title').innerHTML = B.text(confirm.title, ctx) || 'Are you sure?';
    $('#confirm-text').innerHTML = B.text(confirm.text, ctx);
    $('#confirm-yes').innerHTML = B.text(confirm.confirm, ctx) || 'Yes';
    $('#confirm-no').innerHTML = B.text(confirm.deny, ctx) || 'Cancel';
    $('#confirm-yes').className = 'btn ' + (confirm.style === 'danger' ? 'btn-danger' : 'btn-primary');
    $('#confirm').hidden = false;
    $('#confirm-yes').focus();
    return new Promise((resolve) => (decide = resolve));
  }

  function closeConfirm(yes) {
    $('#confirm').hidden = true;
    if (decide) decide(yes);
    decide = undefined;
  }

  $('#confirm-yes').addEventListener('click', () => closeConfirm(true));
  $('#confirm-no').addEventListener('click', () => closeConfirm(false));
  $('#confirm').addEventListener('click', (event) => {
    if (event.target === $('#confirm')) closeConfirm(false);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('#confirm').hidden) closeConfirm(false);
  });

  // ----- clicks on messages, personas and threads (one listener: the lists are redrawn) -----
  document.addEventListener('click', async (event) => {
    const target = event.target instanceof Element ? event.target : undefined;
    if (!target) return;
    const persona = target.closest('.persona');
    if (persona) return ws.setPersona(persona.dataset.user);
    const threadLink = target.closest('[data-thread]');
    if (threadLink) return ws.openThread(threadLink.dataset.thread);
    if (target.closest('#thread-close')) return ws.closeThread();
    const button = target.closest('button[data-kind="button"]');
    if (!button) return;
    const { ts, blockId, actionId } = button.dataset;
    const message = ws.findMessage(ts);
    const element = message && B.findElement(message, blockId, actionId);
    if (element && element.confirm && !(await confirmFirst(element.confirm))) return;
    button.disabled = true;
    await post('/api/action', { ts, blockId, actionId });
    button.disabled = false;
  });

  // A tick sends the element's whole new selection, as Slack does.
  document.addEventListener('change', (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.dataset.kind !== 'checkboxes') return;
    const group = input.closest('.checkboxes');
    const selected = Array.from(group.querySelectorAll('input:checked')).map((i) => i.value);
    const { ts, blockId, actionId } = group.dataset;
    post('/api/action', { ts, blockId, actionId, selected });
  });
})();
