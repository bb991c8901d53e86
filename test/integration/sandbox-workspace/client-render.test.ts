import assert from 'node:assert/strict';
import { loadClientRenderers } from '../../../src/sandbox/workspace';

/** The page's own scripts (static/mrkdwn.js, static/blocks.js), run in Node. */
const client = loadClientRenderers();

const ctx = {
  users: { U0REQUESTER: { name: 'riley' } },
  usergroups: { S0APPROVERS: { handle: 'approvers' } },
  channels: { C0ENGINEER: { name: 'engineering' } },
};

const chip = (kind: string, label: string) => `<span class="mention mention-${kind}">${label}</span>`;

describe('sandbox workspace: the page renders mrkdwn and Block Kit', function () {
  describe('mrkdwn', () => {
    const table: [string, string][] = [
      ['*bold* _italic_ ~struck~', '<b>bold</b> <i>italic</i> <s>struck</s>'],
      [
        '`v1.2.0` and ```\nline <1>\n&amp;```',
        '<code>v1.2.0</code> and <pre class="code-block">line &lt;1&gt;\n&amp;</pre>',
      ],
      ['`*not bold*`', '<code>*not bold*</code>'],
      ['snake_case_name and 2*3*4', 'snake_case_name and 2*3*4'],
      ['<@U0REQUESTER> asked', `${chip('user', '@riley')} asked`],
      ['<@U0UNKNOWN|pat>', chip('user', '@pat')],
      ['<@U0UNKNOWN>', chip('user', '@U0UNKNOWN')],
      ['<!subteam^S0APPROVERS> decide', `${chip('group', '@approvers')} decide`],
      ['<!subteam^S9|@ops>', chip('group', '@ops')],
      ['in <#C0ENGINEER>', `in ${chip('channel', '#engineering')}`],
      ['<!here>', chip('special', '@here')],
      [
        '<https://ci.example/run?a=1&amp;b=2|run &amp; logs>',
        '<a href="https://ci.example/run?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">run &amp; logs</a>',
      ],
      ['<javascript:alert(1)|click>', '&lt;javascript:alert(1)|click&gt;'],
      // Entities decode exactly once: `&amp;lt;` is the text "&lt;", never a tag.
      ['a &lt;b&gt; &amp;lt;c&amp;gt; &amp;amp;', 'a &lt;b&gt; &amp;lt;c&amp;gt; &amp;amp;'],
      ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
      ['"quotes" & \'apostrophes\'', '&quot;quotes&quot; &amp; &#39;apostrophes&#39;'],
      [':rocket: :lock: :pager: :no_such_emoji: 12:30:45', '🚀 🔒 📟 :no_such_emoji: 12:30:45'],
      ['• one\n• two', '• one<br>• two'],
      ['&gt; quoted\nplain', '<span class="quote">quoted</span><br>plain'],
      ['*<@U0REQUESTER> approved*', `<b>${chip('user', '@riley')} approved</b>`],
      ['\ue0000\ue001 stays text', '0 stays text'],
    ];
    for (const [input, expected] of table) {
      it(`renders ${JSON.stringify(input)}`, () => {
        assert.equal(client.renderMrkdwn(input, ctx), expected);
      });
    }

    it('reads a date token as Slack does: in the reader\'s own clock, like the messages\' times', () => {
      const at = 1764262000;
      const local = new Date(at * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
      assert.equal(client.renderMrkdwn(`Updated <!date^${at}^{time}|16:46 UTC>`, ctx), `Updated ${local}`);
      // A format it does not know keeps the fallback, as Slack does.
      assert.equal(client.renderMrkdwn(`<!date^${at}^{ago}|16:46 UTC>`, ctx), '16:46 UTC');
      assert.equal(client.renderMrkdwn('<!date^soon^{time}|16:46 UTC>', ctx), '16:46 UTC');
    });

    it('shows plain_text as written, with emoji shortcodes unless emoji is false', () => {
      assert.equal(client.renderPlain('*not* &amp; <b> :rocket:'), '*not* &amp;amp; &lt;b&gt; 🚀');
      assert.equal(client.renderPlain(':rocket:', false), ':rocket:');
    });
  });

  describe('blocks', () => {
    const ts = '1764262000.000100';

    it('draws header, section text and two-column fields, context and divider', () => {
      const html = client.blocks(
        [
          { type: 'header', text: { type: 'plain_text', text: ':rocket: v1.2.0', emoji: true } },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: '*Release*' },
            fields: [
              { type: 'mrkdwn', text: '*App*\nbackend' },
              { type: 'mrkdwn', text: '*Env*\nproduction' },
            ],
          },
          { type: 'context', elements: [{ type: 'mrkdwn', text: 'by <@U0REQUESTER>' }] },
          { type: 'divider' },
          { type: 'video' },
        ],
        ts,
        ctx,
      );
      assert.match(html, /<div class="block block-header">🚀 v1.2.0<\/div>/);
      assert.match(html, /<div class="section-text"><b>Release<\/b><\/div>/);
      assert.match(
        html,
        /<div class="section-fields"><div class="field"><b>App<\/b><br>backend<\/div><div class="field">/,
      );
      assert.match(
        html,
        /<div class="block block-context"><span>by <span class="mention mention-user">@riley<\/span><\/span><\/div>/,
      );
      assert.match(html, /<hr class="block block-divider">/);
      assert.match(html, /\[video block\]/);
    });

    it('draws buttons with their style, test id and confirm, and checkboxes ticked as initial_options say', () => {
      const option = (value: string, description?: string) => ({
        text: { type: 'plain_text', text: value.toUpperCase() },
        value,
        ...(description ? { description: { type: 'mrkdwn', text: description } } : {}),
      });
      const html = client.blocks(
        [
          {
            type: 'actions',
            block_id: 'checklist-a-0',
            elements: [
              {
                type: 'checkboxes',
                action_id: 'checklist:1',
                options: [option('a', 'ticked by <@U0REQUESTER>'), option('b')],
                initial_options: [option('a', 'ticked by <@U0REQUESTER>')],
              },
            ],
          },
          {
            type: 'actions',
            block_id: 'release-buttons',
            elements: [
              {
                type: 'button',
                action_id: 'release_start',
                text: { type: 'plain_text', text: 'Start' },
                style: 'primary',
              },
              {
                type: 'button',
                action_id: 'release_cancel',
                text: { type: 'plain_text', text: 'Cancel' },
                style: 'danger',
                confirm: { title: { type: 'plain_text', text: 'Sure?' } },
              },
              { type: 'static_select', action_id: 'pick' },
            ],
          },
        ],
        ts,
        ctx,
      );
      assert.match(
        html,
        /<input type="checkbox" data-kind="checkboxes" data-testid="option-a" value="a" checked>/,
      );
      assert.match(html, /<input type="checkbox" data-kind="checkboxes" data-testid="option-b" value="b">/);
      assert.match(
        html,
        /<span class="option-description">ticked by <span class="mention mention-user">@riley<\/span><\/span>/,
      );
      assert.match(
        html,
        /<div class="checkboxes" data-ts="1764262000.000100" data-block-id="checklist-a-0" data-action-id="checklist:1">/,
      );
      assert.match(
        html,
        /<button type="button" class="btn btn-primary" data-kind="button" data-testid="action-release_start" data-ts="1764262000.000100" data-block-id="release-buttons" data-action-id="release_start">Start<\/button>/,
      );
      assert.match(
        html,
        /class="btn btn-danger"[^>]*data-testid="action-release_cancel"[^>]*data-confirm="true">Cancel<\/button>/,
      );
      assert.match(html, /\[static_select\]/);
    });

    it('shows text when a message has no blocks, and never lets an attribute out of its quotes', () => {
      assert.equal(
        client.messageBody({ ts, text: 'plain *text*' }, ctx),
        '<div class="message-text">plain <b>text</b></div>',
      );
      const html = client.blocks(
        [
          {
            type: 'actions',
            block_id: '"><script>',
            elements: [
              { type: 'button', action_id: 'x" onclick="y', text: { type: 'plain_text', text: 'B' } },
            ],
          },
        ],
        ts,
        ctx,
      );
      assert.doesNotMatch(html, /<script>|" onclick="/);
      assert.match(html, /data-testid="action-x&quot; onclick=&quot;y"/);
    });
  });
});
