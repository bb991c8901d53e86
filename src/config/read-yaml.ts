import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from '../domain/errors';

/** What the smallest working configuration holds, for a file that holds nothing. */
const MINIMAL =
  'a configuration needs at least apps.<app>.environments.<environment> with cluster, services, logs.group, health.url and health.endpoints (start from deploybot.example.yaml)';

/**
 * The data of a YAML configuration text. A syntax error is reported as one
 * line with its position: after the first, YAML's parser mostly reports the
 * consequences of the first (one bad indent, ten lines), so only the first is
 * told. A file with nothing in it (or only comments) is said to be empty.
 */
export function readYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = document.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    const problem = `line ${line}, column ${col}: ${first.message.split('\n')[0] ?? first.message}`;
    throw new ConfigError(`${source} ${problem}`, [problem], { cause: first });
  }
  const data: unknown = document.toJS();
  if (data === null || data === undefined) {
    throw new ConfigError(`${source} is empty: ${MINIMAL}`, [`empty: ${MINIMAL}`]);
  }
  return data;
}
