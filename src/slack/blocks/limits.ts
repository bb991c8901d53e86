/**
 * Slack's documented Block Kit limits, checked before anything is sent (and by
 * the local fake Slack API, which refuses what Slack would refuse with
 * `invalid_blocks`). A message that breaks one is rejected whole by Slack, so a
 * release message must never do so, whatever the names and logs.
 */
export const LIMITS = {
  blocksPerMessage: 50,
  messageText: 40_000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  checkboxOptions: 10,
  optionText: 75,
  optionDescription: 75,
  optionValue: 150,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

type Json = Record<string, unknown>;

function textOf(value: unknown): string | undefined {
  if (value && typeof value === 'object' && typeof (value as Json).text === 'string')
    return (value as Json).text as string;
  return undefined;
}

function check(
  problems: string[],
  where: string,
  value: string | undefined,
  max: number,
  what: string,
): void {
  if (value !== undefined && value.length > max)
    problems.push(`${where}: ${what} has ${value.length} characters (max ${max})`);
  if (value !== undefined && value.length === 0 && what.endsWith('text'))
    problems.push(`${where}: ${what} is empty`);
}

function checkConfirm(problems: string[], where: string, confirm: unknown): void {
  if (!confirm || typeof confirm !== 'object') return;
  const c = confirm as Json;
  check(problems, where, textOf(c.title), LIMITS.confirmTitle, 'confirm title');
  check(problems, where, textOf(c.text), LIMITS.confirmText, 'confirm text');
  check(problems, where, textOf(c.confirm), LIMITS.confirmButton, 'confirm button');
  check(problems, where, textOf(c.deny), LIMITS.confirmButton, 'deny button');
}

function checkElement(problems: string[], where: string, element: Json): void {
  check(problems, where, element.action_id as string | undefined, LIMITS.actionId, 'action_id');
  if (element.type === 'button') {
    check(problems, where, textOf(element.text), LIMITS.buttonText, 'button text');
    check(problems, where, element.value as string | undefined, LIMITS.buttonValue, 'button value');
    checkConfirm(problems, where, element.confirm);
  }
  if (element.type === 'checkboxes' || element.type === 'radio_buttons') {
    const options = (element.options as Json[] | undefined) ?? [];
    if (options.length === 0) problems.push(`${where}: ${element.type} has no options`);
    if (options.length > LIMITS.checkboxOptions) {
      problems.push(
        `${where}: ${element.type} has ${options.length} options (max ${LIMITS.checkboxOptions})`,
      );
    }
    options.forEach((option, i) => {
      check(problems, `${where}.options[${i}]`, textOf(option.text), LIMITS.optionText, 'option text');
      check(
        problems,
        `${where}.options[${i}]`,
        textOf(option.description),
        LIMITS.optionDescription,
        'option description',
      );
      check(
        problems,
        `${where}.options[${i}]`,
        option.value as string | undefined,
        LIMITS.optionValue,
        'option value',
      );
    });
    const values = new Set(options.map((o) => o.value));
    for (const initial of (element.initial_options as Json[] | undefined) ?? []) {
      if (!values.has(initial.value))
        problems.push(`${where}: initial option ${String(initial.value)} is not an option`);
    }
    checkConfirm(problems, where, element.confirm);
  }
}

/** Every way `blocks` breaks Slack's limits; empty when Slack would accept them. */
export function blockKitProblems(blocks: unknown[], text?: string): string[] {
  const problems: string[] = [];
  if (blocks.length > LIMITS.blocksPerMessage) {
    problems.push(`message has ${blocks.length} blocks (max ${LIMITS.blocksPerMessage})`);
  }
  if (text !== undefined && text.length > LIMITS.messageText) {
    problems.push(`message text has ${text.length} characters (max ${LIMITS.messageText})`);
  }
  const blockIds = new Set<string>();
  blocks.forEach((raw, index) => {
    const block = raw as Json;
    const where = `blocks[${index}] (${String(block.type)})`;
    const blockId = block.block_id as string | undefined;
    if (blockId !== undefined) {
      check(problems, where, blockId, LIMITS.blockId, 'block_id');
      if (blockIds.has(blockId)) problems.push(`${where}: duplicate block_id ${blockId}`);
      blockIds.add(blockId);
    }
    switch (block.type) {
      case 'header':
        check(problems, where, textOf(block.text), LIMITS.headerText, 'header text');
        break;
      case 'section': {
        check(problems, where, textOf(block.text), LIMITS.sectionText, 'section text');
        const fields = (block.fields as Json[] | undefined) ?? [];
        if (fields.length > LIMITS.sectionFields)
          problems.push(`${where}: ${fields.length} fields (max ${LIMITS.sectionFields})`);
        fields.forEach((field, i) =>
          check(problems, `${where}.fields[${i}]`, textOf(field), LIMITS.fieldText, 'field text'),
        );
        if (!textOf(block.text) && fields.length === 0)
          problems.push(`${where}: section needs text or fields`);
        if (block.accessory) checkElement(problems, `${where}.accessory`, block.accessory as Json);
        break;
      }
      case 'context': {
        const elements = (block.elements as Json[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.contextElements) {
          problems.push(`${where}: ${elements.length} elements (1 to ${LIMITS.contextElements})`);
        }
        elements.forEach((e, i) =>
          check(problems, `${where}.elements[${i}]`, textOf(e), LIMITS.sectionText, 'context text'),
        );
        break;
      }
      case 'actions': {
        const elements = (block.elements as Json[] | undefined) ?? [];
        if (elements.length === 0 || elements.length > LIMITS.actionsElements) {
          problems.push(`${where}: ${elements.length} elements (1 to ${LIMITS.actionsElements})`);
        }
        const actionIds = new Set<string>();
        elements.forEach((e, i) => {
          const id = e.action_id as string | undefined;
          if (id && actionIds.has(id)) problems.push(`${where}: duplicate action_id ${id}`);
          if (id) actionIds.add(id);
          checkElement(problems, `${where}.elements[${i}]`, e);
        });
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${where}: block type not used by deploybot`);
    }
  });
  return problems;
}
