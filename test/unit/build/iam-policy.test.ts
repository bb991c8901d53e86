import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/spawn';
import { iamAction, scanCommands } from './aws-commands';
import { productionBuild } from './production-build';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/**
 * Actions AWS authorizes on top of a command, each granted only when a command
 * that needs it is sent. deploy/README.md explains each one.
 */
const EXTRAS: { action: string; askedBy: string[] }[] = [
  // The task definitions registered, and the tasks run, carry task and execution roles.
  { action: 'iam:PassRole', askedBy: ['ecs:RegisterTaskDefinition', 'ecs:RunTask'] },
  // Tags sent with RegisterTaskDefinition are authorized as ecs:TagResource.
  { action: 'ecs:TagResource', askedBy: ['ecs:RegisterTaskDefinition'] },
  // Tags sent with an RDS create are authorized as rds:AddTagsToResource.
  {
    action: 'rds:AddTagsToResource',
    askedBy: [
      'rds:CreateDBSnapshot',
      'rds:CreateDBClusterSnapshot',
      'rds:RestoreDBInstanceFromDBSnapshot',
      'rds:RestoreDBClusterFromSnapshot',
      'rds:CreateDBInstance',
    ],
  },
];

describe('the IAM policy in deploy/', () => {
  const policy = JSON.parse(readFileSync(join(ROOT, 'deploy/iam-policy.json'), 'utf8')) as {
    Version: string;
    Statement: Statement[];
  };
  const granted = policy.Statement.flatMap((s) => s.Action);
  let sent: string[];

  before(function () {
    this.timeout(120_000);
    const scan = scanCommands(
      productionBuild().files.map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') })),
    );
    assert.deepEqual(scan.unreadable, [], 'calls to AWS this check cannot see');
    sent = [...new Set(scan.sent.map(iamAction))].sort();
  });

  it('grants exactly the actions of the commands the bot sends, and the extras they need', () => {
    assert.ok(sent.includes('ecs:UpdateService'), 'the scan finds the adapters’ commands');
    const extras = EXTRAS.filter((extra) => extra.askedBy.some((action) => sent.includes(action))).map(
      (extra) => extra.action,
    );
    assert.deepEqual([...granted].sort(), [...sent, ...extras].sort());
    assert.equal(new Set(granted).size, granted.length, 'each action granted once');
  });

  it('is a plain allow list: no wildcards, no Deny or NotAction, no account ids', () => {
    assert.equal(policy.Version, '2012-10-17');
    const sids = policy.Statement.map((s) => s.Sid);
    assert.equal(new Set(sids).size, sids.length);
    for (const statement of policy.Statement) {
      assert.deepEqual(
        Object.keys(statement).filter(
          (key) => !['Sid', 'Effect', 'Action', 'Resource', 'Condition'].includes(key),
        ),
        [],
      );
      assert.match(statement.Sid, /^[A-Za-z0-9]+$/, 'IAM allows only letters and digits in a Sid');
      assert.equal(statement.Effect, 'Allow');
      for (const action of statement.Action) assert.match(action, /^[a-z0-9-]+:[A-Za-z0-9]+$/);
    }
    assert.doesNotMatch(JSON.stringify(policy), /\d{12}/);
  });

  it('lets the bot tag only while creating, and pass roles only to ECS tasks', () => {
    const statementOf = (action: string) => policy.Statement.find((s) => s.Action.includes(action));
    assert.deepEqual(statementOf('ecs:TagResource')?.Action, ['ecs:TagResource']);
    assert.deepEqual(statementOf('ecs:TagResource')?.Condition, {
      StringEquals: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    });
    assert.deepEqual(statementOf('iam:PassRole')?.Action, ['iam:PassRole']);
    assert.deepEqual(statementOf('iam:PassRole')?.Condition, {
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    // The RDS tag keys allowed are the ones the adapter writes.
    const rds = readFileSync(join(ROOT, 'src/aws/rds.ts'), 'utf8');
    const written = [...new Set([...rds.matchAll(/Key: '([^']+)'/g)].map((m) => m[1]))].sort();
    const tagging = statementOf('rds:AddTagsToResource');
    assert.deepEqual(tagging?.Action, ['rds:AddTagsToResource']);
    assert.deepEqual(
      [...(tagging?.Condition?.['ForAllValues:StringEquals']?.['aws:TagKeys'] ?? [])].sort(),
      written,
    );
    assert.deepEqual(tagging?.Condition?.Null, { 'aws:TagKeys': 'false' });
  });

  it('explains every extra action in deploy/README.md', () => {
    const readme = readFileSync(join(ROOT, 'deploy/README.md'), 'utf8');
    // A row of the extras table: | `iam:PassRole` | why | asked for by |
    for (const extra of EXTRAS) assert.match(readme, new RegExp(`^\\| \`${extra.action}\` +\\|`, 'm'));
  });

  describe('reading the commands from the source', () => {
    it('maps each constructed command to its action under the client’s IAM prefix', () => {
      const scan = scanCommands([
        {
          file: 'a.ts',
          text: [
            "import { DescribeTargetGroupsCommand, type TargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';",
            "import { StartQueryCommand as Start } from '@aws-sdk/client-cloudwatch-logs';",
            "import type { DescribeServicesCommand } from '@aws-sdk/client-ecs';",
            'client.send(new DescribeTargetGroupsCommand({})); logs.send(new Start({}));',
          ].join('\n'),
        },
      ]);
      assert.deepEqual(scan.unreadable, []);
      assert.deepEqual(scan.sent.map(iamAction).sort(), [
        'elasticloadbalancing:DescribeTargetGroups',
        'logs:StartQuery',
      ]);
    });

    it('refuses what it cannot see through: waiters, namespace imports, unknown clients, commands handed on', () => {
      const scan = scanCommands([
        { file: 'w.ts', text: "import { waitUntilServicesStable } from '@aws-sdk/client-ecs';" },
        { file: 'n.ts', text: "import * as rds from '@aws-sdk/client-rds';" },
        {
          file: 'u.ts',
          text: "import { PutObjectCommand } from '@aws-sdk/client-s3'; new PutObjectCommand({});",
        },
        { file: 'h.ts', text: "import { RunTaskCommand } from '@aws-sdk/client-ecs'; send(RunTaskCommand);" },
      ]);
      assert.deepEqual(
        scan.unreadable.map((line) => line.split(':')[0]),
        ['w.ts', 'n.ts', 'u.ts', 'h.ts'],
      );
    });
  });
});
