import assert from 'node:assert/strict';
import { familyOf, shortTaskDefinition } from '../../../src/domain/image';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition';

/** [task definition, family, short form] */
const CASES: [string, string, string][] = [
  [`${ARN}/backend-service:42`, 'backend-service', 'backend-service:42'],
  [`${ARN}/worker_service:1`, 'worker_service', 'worker_service:1'],
  ['arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:7', 'web', 'web:7'],
  ['arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/web:300', 'web', 'web:300'],
  ['backend-service:42', 'backend-service', 'backend-service:42'],
  ['backend-service', 'backend-service', 'backend-service'],
  [`${ARN}/backend-service`, 'backend-service', 'backend-service'],
];

describe('familyOf', () => {
  for (const [taskDefinition, family] of CASES) {
    it(`finds family ${family} in ${taskDefinition}`, () => {
      assert.equal(familyOf(taskDefinition), family);
    });
  }

  it('gives the same family for every revision of a task definition', () => {
    assert.equal(familyOf(`${ARN}/web:1`), familyOf(`${ARN}/web:2`));
    assert.equal(familyOf(`${ARN}/web:2`), familyOf('web:3'));
  });
});

describe('shortTaskDefinition', () => {
  for (const [taskDefinition, , short] of CASES) {
    it(`shortens ${taskDefinition} to ${short}`, () => {
      assert.equal(shortTaskDefinition(taskDefinition), short);
    });
  }
});
