import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FakeChannel } from '../fake-slack-api';
import { describeMay, type Persona } from './personas';

/** The page's files, by the name the page asks for; nothing else is ever read from disk. */
const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'messages.css': 'text/css; charset=utf-8',
  'blocks.css': 'text/css; charset=utf-8',
  'mrkdwn.js': 'text/javascript; charset=utf-8',
  'blocks.js': 'text/javascript; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'actions.js': 'text/javascript; charset=utf-8',
  'home.js': 'text/javascript; charset=utf-8',
  'home.css': 'text/css; charset=utf-8',
  'modal.js': 'text/javascript; charset=utf-8',
  'modal.css': 'text/css; charset=utf-8',
};

export interface StaticFile {
  type: string;
  body: string;
}

/**
 * Where the page's files are: next to this module when run from source (tsx), and
 * still in src/ when run from the compiled dist/ (tsc copies no .js/.css/.html).
 */
export function staticDir(): string {
  const here = join(__dirname, 'static');
  if (existsSync(join(here, 'index.html'))) return here;
  return resolve(__dirname, '../../../../src/sandbox/workspace/static');
}

export async function loadStaticFiles(dir = staticDir()): Promise<Map<string, StaticFile>> {
  const files = new Map<string, StaticFile>();
  for (const [name, type] of Object.entries(TYPES)) {
    files.set(name, { type, body: await readFile(join(dir, name), 'utf8') });
  }
  return files;
}

/** A steady colour per person, so the switch reads at a glance. */
function hue(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page with what the server knows filled in: the persona switch (so it is there
 * before any script runs) and the settings the script starts from.
 */
export function renderIndex(
  template: string,
  settings: { personas: readonly Persona[]; channel: FakeChannel; commands: readonly string[] },
): string {
  const switches = settings.personas
    .map((p) => {
      const may = p.may ? describeMay(p.may) : undefined;
      const title = may ? `${p.name} (${p.role}): may ${may}` : `${p.name} (${p.role})`;
      return (
        `<button type="button" class="persona" data-testid="persona-${escapeHtml(p.id)}" ` +
        `data-user="${escapeHtml(p.id)}" aria-pressed="false" title="${escapeHtml(title)}">` +
        `<span class="avatar" aria-hidden="true" style="background:hsl(${hue(p.id)} 45% 40%)">${escapeHtml(p.name.slice(0, 1).toUpperCase())}</span>` +
        `<span class="persona-name">${escapeHtml(p.name)}</span>` +
        `<span class="persona-role">${escapeHtml(p.role)}</span>` +
        (may
          ? `<span class="persona-may" data-testid="may-${escapeHtml(p.id)}">${escapeHtml(may)}</span>`
          : '') +
        `</button>`
      );
    })
    .join('\n');
  // JSON inside <script>: a `<` could close the element, so it is always written escaped.
  const json = JSON.stringify(settings).replace(/</g, '\\u003c');
  // Replacer functions: a `$&` in a name must stay text, not become a replacement pattern.
  return template
    .replace('<!--PERSONAS-->', () => switches)
    .replaceAll('{{CHANNEL}}', () => escapeHtml(settings.channel.name))
    .replace('{{SETTINGS}}', () => json);
}
