import assert from 'node:assert/strict';
import { endpointUrl } from '../../../src/domain/health';

describe('endpointUrl', () => {
  const cases: [string, string, string][] = [
    ['https://api.example.com', '/health', 'https://api.example.com/health'],
    ['https://api.example.com/', '/health/ready', 'https://api.example.com/health/ready'],
    ['https://host.example.com/api', '/health', 'https://host.example.com/api/health'],
    ['https://host.example.com/api/', '/metrics', 'https://host.example.com/api/metrics'],
    ['http://127.0.0.1:8080', '/health', 'http://127.0.0.1:8080/health'],
  ];
  for (const [base, path, expected] of cases) {
    it(`appends ${path} to the path of ${base}`, () => {
      assert.equal(endpointUrl(base, path), expected);
    });
  }
});
