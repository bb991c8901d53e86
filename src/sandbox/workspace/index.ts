/** The local Slack workspace page: see server.ts. */
export { WorkspaceServer, type WorkspaceServerOptions } from './server';
export { DEFAULT_PERSONAS, type Persona } from './personas';
export { parseCommandLine } from './bridge';
export { loadClientRenderers, type ClientRenderers, type MrkdwnContext } from './client';
export type { WorkspaceState } from './state';
export { DemoBot } from './demo-bot';
export { PortInUseError } from './port-in-use';
