import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore } from '../src/index.js';
import { createFixture } from './support/verifier-fixture.js';

const request = (token: string, headers: Record<string, string> = {}) => ({
  headers: { authorization: `Bearer ${token}`, ...headers },
});

describe('authenticateCached: the synchronous answer for a token verified before', () => {
  it('knows nothing before the first verification, then answers with the same context and audits it', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    expect(fixture.verifier.authenticateCached(request(token))).toBeUndefined();
    const auth = await fixture.verifier.authenticate(request(token));
    expect(fixture.verifier.authenticateCached(request(token))).toBe(auth);
    expect(fixture.events.at(-1)).toMatchObject({ type: 'accepted', cached: true, caller: 'orders' });
  });

  it('defers every doubt to authenticate(): expiry, malformed or missing headers, a key that left', async () => {
    const fixture = await createFixture();
    const token = await fixture.sign();
    await fixture.verifier.authenticate(request(token));
    expect(fixture.verifier.authenticateCached({ headers: {} })).toBeUndefined();
    expect(
      fixture.verifier.authenticateCached({
        headers: { authorization: `Bearer ${token}` },
        rawHeaders: ['Authorization', `Bearer ${token}`, 'Authorization', 'Bearer x'],
      }),
    ).toBeUndefined();
    fixture.clock.now += 3600;
    expect(fixture.verifier.authenticateCached(request(token))).toBeUndefined();
    await expect(fixture.verifier.authenticate(request(token))).rejects.toMatchObject({
      code: 'token_expired',
    });
  });

  it('is off when a request-time lookup is configured: revocation, custom checks, sessions', async () => {
    for (const options of [
      { revocation: new MemoryRevocationStore() },
      { checks: [() => true] },
      { users: true, sessions: () => undefined },
    ]) {
      const fixture = await createFixture(options);
      const token = await fixture.sign();
      await fixture.verifier.authenticate(request(token));
      expect(fixture.verifier.authenticateCached(request(token))).toBeUndefined();
    }
  });

  it('leaves a request with a forwarded user token to authenticate()', async () => {
    const fixture = await createFixture({ users: true, delegation: { userTokenHeader: 'x-user-token' } });
    const token = await fixture.sign();
    await fixture.verifier.authenticate(request(token));
    expect(fixture.verifier.authenticateCached(request(token))).toBeDefined();
    expect(fixture.verifier.authenticateCached(request(token, { 'x-user-token': 'abc' }))).toBeUndefined();
  });

  it('still applies the caller allow-list and certificate bindings of every request', async () => {
    const fixture = await createFixture({ services: { callers: ['orders'] } });
    const allowed = await fixture.sign();
    await fixture.verifier.authenticate(request(allowed));
    expect(fixture.verifier.authenticateCached(request(allowed))).toBeDefined();
    const bound = await fixture.sign({ cnf: { 'x5t#S256': 'A'.repeat(43) } });
    await expect(fixture.verifier.authenticate(request(bound))).rejects.toMatchObject({
      code: 'certificate_mismatch',
    });
    expect(fixture.verifier.authenticateCached(request(bound))).toBeUndefined();
  });
});
