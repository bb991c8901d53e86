import ts from 'typescript';

/** The IAM service prefix of each AWS SDK v3 client the bot may use. */
export const IAM_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
};

export interface SentCommand {
  file: string;
  client: string;
  command: string;
}

export interface CommandScan {
  sent: SentCommand[];
  /** Uses of an SDK client this scan cannot turn into IAM actions. */
  unreadable: string[];
}

/**
 * The SDK commands a set of source files constructs (`new XCommand(…)`), read
 * from the syntax tree. What would call AWS out of this scan's sight is listed
 * as unreadable: a namespace import of a client, a paginator or waiter (they
 * send commands themselves), a Command imported but never constructed here
 * (handed elsewhere), or a client without a known IAM prefix.
 */
export function scanCommands(sources: { file: string; text: string }[]): CommandScan {
  const sent: SentCommand[] = [];
  const unreadable: string[] = [];
  for (const { file, text } of sources) {
    const tree = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    // Local name → the command it names and the client it comes from.
    const commands = new Map<string, { client: string; command: string }>();
    for (const statement of tree.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const client = statement.moduleSpecifier.text;
      if (!client.startsWith('@aws-sdk/client-')) continue;
      const clause = statement.importClause;
      if (!clause || clause.isTypeOnly) continue;
      if (!(client in IAM_PREFIX)) unreadable.push(`${file}: ${client} has no IAM prefix in IAM_PREFIX`);
      const bindings = clause.namedBindings;
      if (clause.name || (bindings && ts.isNamespaceImport(bindings))) {
        unreadable.push(`${file}: a default or namespace import of ${client}`);
        continue;
      }
      for (const element of bindings?.elements ?? []) {
        if (element.isTypeOnly) continue;
        const imported = (element.propertyName ?? element.name).text;
        if (/^(paginate|waitUntil|waitFor)/.test(imported)) {
          unreadable.push(`${file}: ${imported} from ${client} sends commands of its own`);
        } else if (imported.endsWith('Command')) {
          commands.set(element.name.text, { client, command: imported });
        }
      }
    }
    const constructed = new Set<string>();
    const visit = (node: ts.Node): void => {
      if (
        ts.isNewExpression(node) &&
        ts.isIdentifier(node.expression) &&
        commands.has(node.expression.text)
      ) {
        constructed.add(node.expression.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(tree);
    for (const [local, { client, command }] of commands) {
      if (constructed.has(local)) sent.push({ file, client, command });
      else unreadable.push(`${file}: ${command} is imported but not constructed here`);
    }
  }
  return { sent, unreadable };
}

/**
 * The IAM action a command needs. Every command the bot sends is authorized
 * under its API operation's name (`DescribeServicesCommand` → `ecs:DescribeServices`).
 */
export function iamAction(command: SentCommand): string {
  const prefix = IAM_PREFIX[command.client];
  if (!prefix) throw new Error(`no IAM prefix for ${command.client}`);
  return `${prefix}:${command.command.replace(/Command$/, '')}`;
}
