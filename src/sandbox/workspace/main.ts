/**
 * The workspace page on its own, for a look:
 *
 *   npx tsx src/sandbox/workspace/main.ts --demo          # with a stand-in bot, nothing else needed
 *   npx tsx src/sandbox/workspace/main.ts                 # for a bot you run yourself (see what it prints)
 *
 * Options: --port 3000, --host 127.0.0.1, --slack-port 3002,
 * --bot-url http://127.0.0.1:3001/slack/events; the signing secret comes from
 * SLACK_SIGNING_SECRET (a sandbox one otherwise).
 */
import { parseArgs } from 'node:util';
import { FakeSlackApi } from '../fake-slack-api';
import { DemoBot } from './demo-bot';
import { WorkspaceServer } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
      'slack-port': { type: 'string', default: '3002' },
      'bot-url': { type: 'string', default: 'http://127.0.0.1:3001/slack/events' },
      demo: { type: 'boolean', default: false },
    },
  });
  const signingSecret =
    process.env.SLACK_SIGNING_SECRET?.trim() || ['sandbox', 'signing', 'secret'].join('-');
  // deploybot.example.yaml names S0DEPLOYERS and S0TEAMLEADS; the personas are their members.
  const slack = new FakeSlackApi({
    usergroups: {
      S0DEPLOYERS: ['U0DEPLOYER', 'U0REQUESTER'],
      S0APPROVERS: ['U0APPROVER'],
      S0TEAMLEADS: ['U0APPROVER'],
    },
  });
  await slack.start(Number(values['slack-port']));
  let demo: DemoBot | undefined;
  let botEventsUrl = values['bot-url'];
  if (values.demo) {
    demo = new DemoBot({ slack, signingSecret });
    await demo.start();
    botEventsUrl = demo.eventsUrl;
  }
  const workspace = new WorkspaceServer({ slack, botEventsUrl, signingSecret });
  await workspace.start(Number(values.port), values.host);

  console.log(`Workspace page:  ${workspace.url}`);
  console.log(`Fake Slack API:  ${slack.apiUrl}`);
  if (demo) {
    console.log(`Demo bot:        ${botEventsUrl} (try /deploy v1.2.0 on the page)`);
  } else {
    console.log(`Commands and clicks go to ${botEventsUrl}. Run the bot with:`);
    console.log(
      `  SLACK_API_URL=${slack.apiUrl} SLACK_BOT_TOKEN=xoxb-sandbox SLACK_SIGNING_SECRET=<same secret>`,
    );
    console.log(`  (this page signs with SLACK_SIGNING_SECRET, or "${signingSecret}" when unset)`);
  }

  const stop = async (): Promise<void> => {
    await workspace.stop();
    await demo?.stop();
    await slack.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
