/**
 * Just enough of a Dockerfile parser to read what each stage copies: line
 * continuations joined, comments dropped, COPY in both its shell and JSON forms.
 */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  base: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Copy {
  /** The stage copied from (`--from=`), or undefined for the build context. */
  from: string | undefined;
  sources: string[];
  dest: string;
}

export function instructions(text: string): Instruction[] {
  const found: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    // Comment lines may sit between continued lines; Docker drops them.
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole === '') continue;
    const keyword = whole.split(/\s+/)[0] ?? '';
    found.push({ keyword: keyword.toUpperCase(), args: whole.slice(keyword.length).trim() });
  }
  return found;
}

export function stages(text: string): Stage[] {
  const result: Stage[] = [];
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args.split(/\s+/);
      result.push({ base, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      let from: string | undefined;
      let rest = i.args;
      for (
        let flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest);
        flag;
        flag = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest)
      ) {
        if (flag[1] === 'from') from = flag[2];
        rest = rest.slice(flag[0].length);
      }
      const paths = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
    });
}

export function workdir(stage: Stage): string | undefined {
  return stage.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args;
}
