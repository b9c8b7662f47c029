// README example: test a service's token check against a local JWKS server, no network mocks.
import { createTestIssuer, startJwksServer } from '@org/auth-testing';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const issuer = await createTestIssuer({ issuer: 'https://auth.test', audience: 'orders' });
const jwks = await startJwksServer(issuer); // http://127.0.0.1:<port>/.well-known/jwks.json

const keys = createRemoteJWKSet(new URL(jwks.jwksUri));
const check = (token: string) => jwtVerify(token, keys, { issuer: 'https://auth.test', audience: 'orders' });

const { payload } = await check(await issuer.sign({ sub: 'billing' }));
console.log('accepted', payload.sub);

await check(await issuer.broken('expired')).catch((error: { code: string }) =>
  console.log('rejected', error.code),
);

await jwks.close();
