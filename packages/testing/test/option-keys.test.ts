import { describe, expect, it } from 'vitest';
import {
  createTestCertificateAuthority,
  createTestIssuer,
  generateTestKey,
  startJwksServer,
} from '../src/index.js';

describe('options of the test kit', () => {
  it('refuse an unknown key at once, with the key that was likely meant and the known ones', async () => {
    await expect(createTestIssuer({ audiance: 'orders' } as never)).rejects.toThrow(
      'createTestIssuer: unknown option "audiance" (did you mean "audience"?); known options: issuer, audience, subject, alg, lifetime, marker, now',
    );
    await expect(generateTestKey({ algorithm: 'ES256' } as never)).rejects.toThrow(
      /^generateTestKey: unknown option "algorithm"; known options: alg, kid$/,
    );
    const issuer = await createTestIssuer();
    await expect(startJwksServer(issuer, { pth: '/jwks' } as never)).rejects.toThrow(
      /^startJwksServer: unknown option "pth" \(did you mean "path"\?\)/,
    );
    expect(() => createTestCertificateAuthority({ notAfer: new Date() } as never)).toThrow(
      /^createTestCertificateAuthority: unknown option "notAfer" \(did you mean "notAfter"\?\)/,
    );
    const ca = createTestCertificateAuthority();
    expect(() => ca.issue({ commonName: 'billing', dnsName: ['x'] } as never)).toThrow(
      /^issue: unknown option "dnsName" \(did you mean "dnsNames"\?\)/,
    );
  });

  it('accept every documented key', async () => {
    await expect(
      createTestIssuer({
        issuer: 'a',
        audience: 'b',
        subject: 'c',
        alg: 'ES256',
        lifetime: 60,
        marker: false,
        now: Date.now,
      }),
    ).resolves.toBeDefined();
    await expect(generateTestKey({ alg: 'EdDSA', kid: 'k' })).resolves.toMatchObject({ kid: 'k' });
  });
});
