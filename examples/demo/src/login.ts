import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface UserTokenOptions {
  /** `sub`: the user. */
  readonly user: string;
  /** `aud`: the service the token is for. */
  readonly audience: string;
  readonly permissions: readonly string[];
  /** Seconds from now until `exp`; negative for a token that has already expired. Default 300. */
  readonly expiresIn?: number;
}

export interface LoginService {
  /** `iss` of user tokens. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Signs a user token, as a login service would after a user signed in. */
  mint(options: UserTokenOptions): Promise<string>;
  close(): Promise<void>;
}

/**
 * Plays the shop's user-facing login service: a key pair whose public half is published as a
 * JWKS, and user tokens (no `source: "microservice"` marker) signed with the private half. A real
 * shop would use its identity provider; the services only need its issuer and JWKS URL.
 */
export async function startLoginService(issuer = 'login'): Promise<LoginService> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const kid = `login-${randomUUID().slice(0, 8)}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const body = JSON.stringify({ keys: [publicJwk] });
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' })
        .end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    issuer,
    jwksUri: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    mint: ({ user, audience, permissions, expiresIn = 300 }) => {
      const now = Math.floor(Date.now() / 1000);
      // An expired token was issued five minutes before it expired, like any other.
      const iat = expiresIn > 0 ? now : now + expiresIn - 300;
      return new SignJWT({ permissions: [...permissions] })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setSubject(user)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(now + expiresIn)
        .setJti(randomUUID())
        .sign(privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
