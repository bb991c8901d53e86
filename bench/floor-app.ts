import type { Server } from 'node:http';
import { App, HTTPReceiver } from '@slack/bolt';

/** The floor: a bare Bolt app whose only listener acks `/deploy`. Returns its port and a stop. */
export async function startFloorApp(options: {
  token: string;
  signingSecret: string;
  apiUrl: string;
}): Promise<{ port: number; stop(): Promise<void> }> {
  const app = new App({
    token: options.token,
    receiver: new HTTPReceiver({ signingSecret: options.signingSecret, endpoints: '/slack/events' }),
    clientOptions: { slackApiUrl: options.apiUrl },
  });
  app.command('/deploy', async ({ ack }) => ack());
  const server = (await app.start(0)) as Server;
  return {
    port: (server.address() as { port: number }).port,
    stop: async () => {
      await app.stop();
    },
  };
}
