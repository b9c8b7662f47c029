import { expect, it } from 'vitest';
import { concerns, scenarios } from '../src/scenarios/index.js';

it('has at least 40 scenarios with unique names', () => {
  expect(scenarios.length).toBeGreaterThanOrEqual(40);
  expect(new Set(scenarios.map((scenario) => scenario.name)).size).toBe(scenarios.length);
});

it('has concerns with unique titles, none empty', () => {
  expect(new Set(concerns.map((concern) => concern.title)).size).toBe(concerns.length);
  for (const concern of concerns) expect(concern.scenarios.length, concern.title).toBeGreaterThan(0);
});
