import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The manifest people create the Slack app from: it must parse, and ask for what the bot uses. */
describe('slack-app-manifest.yaml', () => {
  const manifest = parse(readFileSync('slack-app-manifest.yaml', 'utf8')) as {
    features: { app_home?: { home_tab_enabled?: boolean }; slash_commands: { command: string }[] };
    settings: { event_subscriptions?: { bot_events?: string[] }; interactivity: { is_enabled: boolean } };
    oauth_config: { scopes: { bot: string[] } };
  };

  it('declares both slash commands and interactivity (buttons, checklists, the review modal)', () => {
    assert.deepEqual(
      manifest.features.slash_commands.map((c) => c.command),
      ['/deploy', '/rollback'],
    );
    assert.equal(manifest.settings.interactivity.is_enabled, true);
  });

  it('turns the Home tab on and subscribes to app_home_opened, which publishes it', () => {
    assert.equal(manifest.features.app_home?.home_tab_enabled, true);
    assert.deepEqual(manifest.settings.event_subscriptions?.bot_events, ['app_home_opened']);
  });

  it('asks for the scopes the Web API calls need', () => {
    for (const scope of ['commands', 'chat:write', 'chat:write.public', 'usergroups:read']) {
      assert.ok(manifest.oauth_config.scopes.bot.includes(scope), scope);
    }
  });
});
