/* global document, window, fetch */
/**
 * A modal the bot opened (views.open), drawn over the channel: its blocks, a
 * multiline field per plain-text input, and Slack's submit and close buttons.
 * Submitting sends what was typed to the server, which delivers it to the bot
 * as a signed view_submission; the bot's answer closes the modal or puts its
 * errors beside the fields. The modal is redrawn only when the view changes,
 * so a state refresh never wipes what is being typed.
 */
(function () {
  'use strict';
  const B = window.SlackBlocks;
  const M = window.SlackMrkdwn;
  const ws = window.Workspace;

  const root = document.createElement('div');
  root.className = 'modal-backdrop view-modal-backdrop';
  root.dataset.testid = 'view-modal';
  root.hidden = true;
  document.body.appendChild(root);
  /** The view on screen (id + JSON): a refresh that brings the same view leaves the fields alone. */
  let shown = '';

  function context(state) {
    const channels = {};
    for (const c of state.channels) channels[c.id] = c;
    return { users: state.users, usergroups: state.usergroups, channels };
  }

  function input(block, ctx) {
    const element = block.element || {};
    const id = M.escapeHtml(block.block_id || '');
    if (element.type !== 'plain_text_input') {
      return '<div class="block unsupported">[' + M.escapeHtml(String(element.type)) + ' input]</div>';
    }
    const max = Number(element.max_length) > 0 ? ' maxlength="' + Number(element.max_length) + '"' : '';
    const field = element.multiline ? '<textarea rows="4"' : '<input type="text"';
    const value = M.escapeHtml(element.initial_value || '');
    return (
      '<label class="view-input">' +
      '<span class="view-label">' +
      B.text(block.label, ctx) +
      (block.optional ? ' <span class="view-optional">(optional)</span>' : '') +
      '</span>' +
      field +
      ' data-block-id="' +
      id +
      '" data-testid="input-' +
      id +
      '"' +
      max +
      (element.multiline ? '>' + value + '</textarea>' : ' value="' + value + '">') +
      (block.hint ? '<span class="view-hint">' + B.text(block.hint, ctx) + '</span>' : '') +
      '<span class="view-error" data-error-for="' +
      id +
      '" data-testid="error-' +
      id +
      '" hidden></span>' +
      '</label>'
    );
  }

  function draw(state) {
    const modal = state && state.modal;
    const key = modal ? modal.id + JSON.stringify(modal.view) : '';
    if (key === shown) return;
    shown = key;
    if (!modal) {
      root.hidden = true;
      root.innerHTML = '';
      return;
    }
    const view = modal.view;
    const ctx = context(state);
    const blocks = (view.blocks || [])
      .map((b) => (b && b.type === 'input' ? input(b, ctx) : B.block(b, '', ctx)))
      .join('');
    root.innerHTML =
      '<form class="modal view-modal" role="dialog" aria-modal="true" data-view-id="' +
      M.escapeHtml(modal.id) +
      '"><h2>' +
      B.text(view.title, ctx) +
      '</h2><div class="view-blocks">' +
      blocks +
      '</div><div class="view-error view-error-general" data-testid="view-error" hidden></div>' +
      '<div class="modal-buttons">' +
      '<button type="button" class="btn" data-testid="view-close">' +
      (B.text(view.close, ctx) || 'Cancel') +
      '</button>' +
      (view.submit
        ? '<button type="submit" class="btn btn-primary" data-testid="view-submit">' +
          B.text(view.submit, ctx) +
          '</button>'
        : '') +
      '</div></form>';
    root.hidden = false;
    const first = root.querySelector('textarea, input');
    if (first) first.focus();
  }

  function showErrors(errors, general) {
    for (const slot of root.querySelectorAll('[data-error-for]')) {
      const message = errors[slot.dataset.errorFor];
      slot.textContent = message || '';
      slot.hidden = !message;
    }
    const line = root.querySelector('[data-testid="view-error"]');
    if (line) {
      line.textContent = general || '';
      line.hidden = !general;
    }
  }

  async function send(path, body) {
    try {
      const response = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Object.assign({ user: ws.me }, body)),
      });
      return await response.json();
    } catch (error) {
      return { ok: false, message: 'The workspace server is not answering: ' + error.message };
    }
  }

  root.addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = root.querySelector('form');
    const values = {};
    for (const field of root.querySelectorAll('[data-block-id]')) values[field.dataset.blockId] = field.value;
    const button = root.querySelector('[data-testid="view-submit"]');
    if (button) button.disabled = true;
    const answer = await send('/api/view-submit', { viewId: form.dataset.viewId, values });
    if (button) button.disabled = false;
    if (!answer.ok) return showErrors({}, answer.message || answer.error || 'Not sent.');
    showErrors(answer.errors || {}, '');
    ws.refresh();
  });

  // Only Cancel closes it: in Slack a click beside a modal does not.
  root.addEventListener('click', async (event) => {
    const form = root.querySelector('form');
    if (!form || !event.target.closest('[data-testid="view-close"]')) return;
    await send('/api/view-close', { viewId: form.dataset.viewId });
    ws.refresh();
  });

  document.addEventListener('workspace:state', (event) => draw(event.detail));
})();
