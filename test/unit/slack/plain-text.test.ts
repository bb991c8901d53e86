import assert from 'node:assert/strict';
import { configuredNames, parseDeployCommand, parseRollbackCommand } from '../../../src/slack/deploy-command';
import { plainText } from '../../../src/slack/plain-text';

describe('plainText (command text made safe to parse and echo)', () => {
  it('drops C0 controls, DEL and C1 controls', () => {
    assert.equal(plainText('a\u0000b\u0007c\u001bd\u007fe\u0080f\u009fg'), 'abcdefg');
  });

  it('turns tabs and line breaks into spaces so words stay apart', () => {
    assert.equal(
      plainText('v1.2.0\nbackend\tproduction\r\nx\u2028y\u0085z'),
      'v1.2.0 backend production  x y z',
    );
  });

  it('drops bidi overrides, embeddings, isolates and marks', () => {
    assert.equal(
      plainText('\u202eevil\u202c \u2066a\u2069 \u200eb\u200f \u061cc \u202ad\u202be\u202d'),
      'evil a b c de',
    );
  });

  it('keeps ordinary text, other scripts and emoji as they are', () => {
    const text = 'lock backend staging ünïcødé 日本語 🚀 “quotes” — dash';
    assert.equal(plainText(text), text);
  });

  it('is what the /deploy and /rollback parsers read and echo', () => {
    const names = configuredNames({ apps: { backend: { environments: { production: {}, staging: {} } } } });
    assert.deepEqual(parseDeployCommand('lock\u0000 backend staging db\u202e migration\u0007', names), {
      kind: 'lock',
      app: 'backend',
      environment: 'staging',
      reason: 'db migration',
    });
    assert.deepEqual(parseRollbackCommand('backend\nproduction', names), {
      app: 'backend',
      environment: 'production',
    });
    assert.throws(
      () => parseDeployCommand('status \u202ebad\u0000app', names),
      (error: Error) => error.message.includes('unknown app "badapp"'),
    );
  });
});
