/**
 * Block Kit → HTML for the workspace page: the blocks and elements deploybot
 * sends, drawn the way Slack draws them. Interactive elements carry the
 * message ts, block id and action id as data attributes (app.js sends clicks
 * from those) and a stable data-testid for browser tests. Runs in Node too.
 */
(function (root) {
  'use strict';
  const M = root.SlackMrkdwn;

  function attr(value) {
    return M.escapeHtml(value == null ? '' : String(value));
  }

  /** A text object: mrkdwn or plain_text. */
  function text(object, ctx) {
    if (!object || typeof object !== 'object') return '';
    if (object.type === 'mrkdwn') return M.renderMrkdwn(object.text, ctx);
    return M.renderPlain(object.text, object.emoji);
  }

  function safeUrl(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : '';
  }

  function target(ts, blockId, element) {
    return (
      ' data-ts="' +
      attr(ts) +
      '" data-block-id="' +
      attr(blockId) +
      '" data-action-id="' +
      attr(element.action_id) +
      '"'
    );
  }

  function button(element, blockId, ts, ctx) {
    const style = element.style === 'primary' || element.style === 'danger' ? ' btn-' + element.style : '';
    return (
      '<button type="button" class="btn' +
      style +
      '" data-kind="button" data-testid="action-' +
      attr(element.action_id) +
      '"' +
      target(ts, blockId, element) +
      (element.confirm ? ' data-confirm="true"' : '') +
      '>' +
      text(element.text, ctx) +
      '</button>'
    );
  }

  /** Real checkboxes, ticked as `initial_options` says; app.js sends the whole new selection. */
  function checkboxes(element, blockId, ts, ctx) {
    const ticked = new Set((element.initial_options || []).map((o) => o.value));
    const options = (element.options || []).map((option) => {
      const description = option.description
        ? '<span class="option-description">' + text(option.description, ctx) + '</span>'
        : '';
      return (
        '<label class="option"><input type="checkbox" data-kind="checkboxes" data-testid="option-' +
        attr(option.value) +
        '" value="' +
        attr(option.value) +
        '"' +
        (ticked.has(option.value) ? ' checked' : '') +
        '>' +
        '<span class="option-body"><span class="option-text">' +
        text(option.text, ctx) +
        '</span>' +
        description +
        '</span></label>'
      );
    });
    return '<div class="checkboxes"' + target(ts, blockId, element) + '>' + options.join('') + '</div>';
  }

  function image(element, className) {
    const src = safeUrl(element.image_url);
    if (!src) return '';
    return '<img class="' + className + '" src="' + attr(src) + '" alt="' + attr(element.alt_text) + '">';
  }

  function element(element, blockId, ts, ctx) {
    if (!element || typeof element !== 'object') return '';
    if (element.type === 'button') return button(element, blockId, ts, ctx);
    if (element.type === 'checkboxes') return checkboxes(element, blockId, ts, ctx);
    if (element.type === 'image') return image(element, 'accessory-image');
    return '<span class="unsupported">[' + attr(element.type) + ']</span>';
  }

  function block(b, ts, ctx) {
    if (!b || typeof b !== 'object') return '';
    const blockId = b.block_id || '';
    switch (b.type) {
      case 'header':
        return '<div class="block block-header">' + text(b.text, ctx) + '</div>';
      case 'divider':
        return '<hr class="block block-divider">';
      case 'section': {
        const body = b.text ? '<div class="section-text">' + text(b.text, ctx) + '</div>' : '';
        const fields = Array.isArray(b.fields)
          ? '<div class="section-fields">' +
            b.fields.map((f) => '<div class="field">' + text(f, ctx) + '</div>').join('') +
            '</div>'
          : '';
        const accessory = b.accessory
          ? '<div class="section-accessory">' + element(b.accessory, blockId, ts, ctx) + '</div>'
          : '';
        return (
          '<div class="block block-section"><div class="section-main">' +
          body +
          fields +
          '</div>' +
          accessory +
          '</div>'
        );
      }
      case 'context':
        return (
          '<div class="block block-context">' +
          (b.elements || [])
            .map((e) =>
              e.type === 'image' ? image(e, 'context-image') : '<span>' + text(e, ctx) + '</span>',
            )
            .join('') +
          '</div>'
        );
      case 'actions':
        return (
          '<div class="block block-actions">' +
          (b.elements || []).map((e) => element(e, blockId, ts, ctx)).join('') +
          '</div>'
        );
      case 'image':
        return '<div class="block block-image">' + image(b, 'block-image-img') + '</div>';
      default:
        return '<div class="block unsupported">[' + attr(b.type) + ' block]</div>';
    }
  }

  function attachment(a, ts, ctx) {
    const color = /^#[0-9a-f]{3,8}$/i.test(a.color || '')
      ? a.color
      : { good: '#2eb67d', warning: '#ecb22e', danger: '#e01e5a' }[a.color] || '#dddddd';
    const parts = [];
    if (a.pretext) parts.push('<div>' + M.renderMrkdwn(a.pretext, ctx) + '</div>');
    if (a.title) parts.push('<div class="attachment-title">' + M.renderPlain(a.title) + '</div>');
    if (a.text) parts.push('<div>' + M.renderMrkdwn(a.text, ctx) + '</div>');
    if (Array.isArray(a.blocks)) parts.push(blocks(a.blocks, ts, ctx));
    if (a.footer) parts.push('<div class="block-context">' + M.renderMrkdwn(a.footer, ctx) + '</div>');
    return '<div class="attachment" style="border-left-color:' + color + '">' + parts.join('') + '</div>';
  }

  function blocks(list, ts, ctx) {
    return (list || []).map((b) => block(b, ts, ctx)).join('');
  }

  /** A message's body: its blocks when it has any (Slack then shows no text), else its text. */
  function messageBody(message, ctx) {
    const body =
      Array.isArray(message.blocks) && message.blocks.length > 0
        ? blocks(message.blocks, message.ts, ctx)
        : '<div class="message-text">' + M.renderMrkdwn(message.text, ctx) + '</div>';
    const attachments = (message.attachments || []).map((a) => attachment(a, message.ts, ctx)).join('');
    return body + attachments;
  }

  /** The element a click came from, found again in the message as the page last saw it. */
  function findElement(message, blockId, actionId) {
    for (const b of message.blocks || []) {
      if ((b.block_id || '') !== blockId) continue;
      const found = (b.elements || []).concat(b.accessory ? [b.accessory] : []);
      for (const e of found) if (e.action_id === actionId) return e;
    }
    return undefined;
  }

  root.SlackBlocks = { messageBody, blocks, block, text, findElement };
})(globalThis);
