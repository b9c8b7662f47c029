import { describe, expect, it } from 'vitest';
import { AuthConfigError, allow, authorize, deny, type Policy } from '../../src/index.js';
import { PolicyEngine } from '../../src/policies/policies.js';
import { codeOf, createFixture, NOW } from '../support/verifier-fixture.js';

interface Doc {
  readonly ownerId: string;
  readonly frozen?: boolean;
}
const documents: Record<string, Doc> = { d1: { ownerId: 'alice' }, d2: { ownerId: 'bob', frozen: true } };
const load = async (id: string) => documents[id] as Doc;

// The three examples of the README.
const policies: Policy<Doc>[] = [
  { name: 'admin bypass', decide: ({ auth }) => (auth.hasRole('admin') ? allow() : undefined) },
  {
    name: 'owner',
    actions: ['documents:*'],
    decide: ({ auth, resource }) => (resource.ownerId === auth.user?.subject ? 'allow' : 'abstain'),
  },
  {
    name: 'frozen',
    actions: ['documents:write'],
    decide: ({ resource }) => (resource.frozen ? deny('document is frozen') : undefined),
  },
  {
    name: 'business hours',
    actions: ['payments:*'],
    decide: ({ environment }) => {
      const hour = environment.now.getUTCHours();
      return hour >= 8 && hour < 18
        ? { effect: 'allow' }
        : { effect: 'deny', reason: 'outside business hours' };
    },
  },
];

async function setup() {
  const fixture = await createFixture({
    users: true,
    policies: policies as Policy[],
    roles: { admin: ['*'] },
  });
  const as = async (sub: string, roles: string[] = []) =>
    fixture.verifier.verify(await fixture.sign({ source: undefined, sub, roles }));
  return { fixture, as };
}

describe('authorize', () => {
  it('loads the resource once and hands it back when a policy allows', async () => {
    const { as } = await setup();
    let loads = 0;
    const check = authorize('documents:read', {
      resource: (id: string) => {
        loads++;
        return load(id);
      },
    });
    expect(check.requirement).toBe('action documents:read');
    await expect(check(await as('alice'), 'd1')).resolves.toEqual({ ownerId: 'alice' });
    expect(loads).toBe(1);
  });

  it('denies with a reason when nothing allows, and audits it', async () => {
    const { fixture, as } = await setup();
    const error = await authorize('documents:read', { resource: load })(await as('carol'), 'd1').catch(
      (e) => e,
    );
    expect(error).toMatchObject({
      code: 'policy_denied',
      status: 403,
      description: 'no policy allows this action',
    });
    expect(error.headers['WWW-Authenticate']).toContain('error="insufficient_scope"');
    expect(fixture.events.at(-1)).toMatchObject({
      type: 'rejected',
      code: 'policy_denied',
      requirement: 'action documents:read',
      subject: 'carol',
    });
    expect(fixture.events.at(-1)).not.toHaveProperty('policy');
  });

  it('lets a deny override an allow (admin on a frozen document), naming the policy', async () => {
    const { fixture, as } = await setup();
    const admin = await as('root', ['admin']);
    await expect(authorize('documents:read', { resource: load })(admin, 'd2')).resolves.toMatchObject({
      ownerId: 'bob',
    });
    const error = await authorize('documents:write', { resource: load })(admin, 'd2').catch((e) => e);
    expect(error).toMatchObject({ code: 'policy_denied', description: 'document is frozen' });
    expect(fixture.events.at(-1)).toMatchObject({ policy: 'frozen', description: 'document is frozen' });
  });

  it("sees the verifier's clock (business hours for payments:*)", async () => {
    const { fixture, as } = await setup();
    const alice = await as('alice');
    fixture.clock.now = NOW + 10 * 3600; // 10:00 UTC
    await expect(authorize('payments:refund')(alice, undefined)).resolves.toBeUndefined();
    fixture.clock.now = NOW + 22 * 3600;
    expect(await codeOf(authorize('payments:refund')(alice, undefined))).toBe('policy_denied');
  });

  it('answers missing_token without a context, with the realm of the verifier', async () => {
    const { fixture } = await setup();
    const realmed = fixture.with({ realm: 'docs' });
    const error = await authorize('documents:read')(undefined, undefined, undefined, realmed).catch((e) => e);
    expect(error).toMatchObject({ code: 'missing_token', realm: 'docs' });
  });

  it('uses route policies over the verifier ones, and needs some', async () => {
    const { as } = await setup();
    const alice = await as('alice');
    const check = authorize('documents:read', { policies: [{ name: 'nobody', decide: () => 'deny' }] });
    expect(await check(alice, undefined).catch((e) => e.description)).toBe('denied by nobody');
    const bare = await createFixture({ users: true });
    const auth = await bare.verifier.verify(await bare.sign({ source: undefined, sub: 'x' }));
    await expect(authorize('documents:read')(auth, undefined)).rejects.toThrow(AuthConfigError);
  });

  it('passes a loader error through untouched', async () => {
    const { as } = await setup();
    const notFound = Object.assign(new Error('not found'), { status: 404 });
    const check = authorize('documents:read', { resource: () => Promise.reject(notFound) });
    await expect(check(await as('alice'), undefined)).rejects.toBe(notFound);
  });

  it('validates its arguments and the policies', () => {
    expect(() => authorize('documents:*')).toThrow(AuthConfigError);
    expect(() => authorize('documents:read', { resource: 'x' as never })).toThrow(/resource/);
    expect(() => new PolicyEngine('x' as never)).toThrow(AuthConfigError);
    expect(() => new PolicyEngine([{ name: 'a' } as never])).toThrow(/policies\[0\]/);
    expect(() => new PolicyEngine([{ name: '', decide: () => 'allow' }])).toThrow(/name/);
    expect(() => new PolicyEngine([{ name: 'a', actions: ['bad action'], decide: () => 'allow' }])).toThrow(
      /actions/,
    );
  });

  it('keeps reasons short', async () => {
    const engine = new PolicyEngine([{ name: 'long', decide: () => deny('x'.repeat(500)) }]);
    const { as } = await setup();
    const outcome = await engine.evaluate({
      auth: await as('a'),
      action: 'a:b',
      resource: undefined,
      environment: { now: new Date(), request: undefined },
    });
    expect(outcome.reason).toHaveLength(120);
    expect(deny()).toEqual({ effect: 'deny' });
  });
});
