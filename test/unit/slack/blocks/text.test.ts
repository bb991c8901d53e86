import assert from 'node:assert/strict';
import {
  codeBlock,
  escapeKeepingMentions,
  escapeMrkdwn,
  escapeTail,
  escapeTruncated,
  escapeWithNote,
  truncate,
  truncateMrkdwn,
  truncateStart,
} from '../../../../src/slack/blocks/text';

const isLoneSurrogate = (text: string): boolean =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

describe('slack text helpers', () => {
  describe('truncate', () => {
    it('leaves text that fits alone', () => {
      assert.equal(truncate('v1.2.0', 6), 'v1.2.0');
    });

    it('cuts to the limit and ends with an ellipsis', () => {
      assert.equal(truncate('abcdefghij', 5), 'abcd…');
      assert.equal(truncate('abcdefghij', 5).length, 5);
    });

    it('never cuts a surrogate pair in half', () => {
      for (let max = 1; max < 12; max += 1) {
        const cut = truncate('a🚀🚀🚀🚀🚀🚀', max);
        assert.ok(cut.length <= max, `${max}: ${cut}`);
        assert.ok(!isLoneSurrogate(cut), `${max}: ${JSON.stringify(cut)}`);
      }
    });

    it('keeps the end with truncateStart, also without splitting a pair', () => {
      assert.equal(truncateStart('abcdefghij', 5), '…ghij');
      for (let max = 1; max < 12; max += 1) assert.ok(!isLoneSurrogate(truncateStart('🚀🚀🚀🚀🚀🚀a', max)));
    });
  });

  describe('escaping', () => {
    it('escapes the three characters Slack reserves', () => {
      assert.equal(escapeMrkdwn('a & <b> <!channel>'), 'a &amp; &lt;b&gt; &lt;!channel&gt;');
    });

    it('keeps user and group mentions but escapes everything else', () => {
      assert.equal(
        escapeKeepingMentions('only <!subteam^S0OPS> or <@U0ALICE> may deploy <b> & <!here>'),
        'only <!subteam^S0OPS> or <@U0ALICE> may deploy &lt;b&gt; &amp; &lt;!here&gt;',
      );
      assert.equal(
        escapeKeepingMentions('<https://evil.example|click>'),
        '&lt;https://evil.example|click&gt;',
      );
    });

    it('cuts escaped text between entities, never inside one', () => {
      const text = '&'.repeat(100);
      for (let max = 1; max < 30; max += 1) {
        const cut = escapeTruncated(text, max);
        assert.ok(cut.length <= max);
        assert.match(cut, /^(&amp;)*…?$/);
      }
      assert.match(escapeTail('<'.repeat(50), 20), /^…(&lt;)+$/);
    });

    it('says how many characters a long text lost', () => {
      const out = escapeWithNote('x'.repeat(5000), 1000);
      assert.ok(out.length <= 1000);
      assert.match(out, /_… 4,\d{3} more characters trimmed_$/);
    });

    it('backs off from a cut that would leave half a mention or entity', () => {
      assert.equal(truncateMrkdwn('ticked by <@U0123456789>', 20), 'ticked by …');
      assert.equal(truncateMrkdwn('a &amp; b', 5), 'a …');
    });
  });

  describe('codeBlock', () => {
    it('fences short output as it is, escaped', () => {
      assert.equal(codeBlock(['one <x>', 'two & three'], 3000), '```\none &lt;x&gt;\ntwo &amp; three\n```');
    });

    it('keeps the last lines of a long log and says how many earlier lines were dropped', () => {
      const lines = Array.from({ length: 5000 }, (_, i) => `line ${i}`);
      const out = codeBlock(lines, 2900);
      assert.ok(out.length <= 2900, String(out.length));
      assert.match(out, /^_… 4,\d{3} earlier lines not shown_\n```\n/);
      assert.ok(out.endsWith('line 4999\n```'));
    });

    it('keeps the end of one enormous line', () => {
      const out = codeBlock(['a'.repeat(100_000) + 'THE END'], 2900);
      assert.ok(out.length <= 2900);
      assert.match(out, /^_… 9\d,\d{3} more characters trimmed_/);
      assert.ok(out.endsWith('THE END\n```'));
    });

    it('keeps the first lines when asked to', () => {
      const out = codeBlock(
        Array.from({ length: 1000 }, (_, i) => `step ${i}`),
        500,
        'first',
      );
      assert.ok(out.length <= 500);
      assert.ok(out.startsWith('```\nstep 0\nstep 1\n'));
      assert.match(out, /_… \d+ more lines not shown_$/);
    });

    it('cannot be closed early by backticks in a log line', () => {
      const out = codeBlock(['before ``` after'], 3000);
      assert.equal(out.match(/```/g)?.length, 2);
    });

    it('says so when there is nothing to show', () => {
      assert.equal(codeBlock([], 3000), '_(no output)_');
      assert.equal(codeBlock(['', ''], 3000), '_(no output)_');
    });
  });
});
