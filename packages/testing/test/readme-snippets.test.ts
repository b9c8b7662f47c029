import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkSnippets, documentsOf } from './snippets/readme-snippets.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** A document that is not on disk: one good block, one broken block, one fragment of each kind. */
const canary = {
  path: `${root}packages/testing/test/snippets/CANARY.md`,
  text: [
    'The check itself: see [the complete example](../readme-snippets.test.ts).',
    '```ts',
    "import { createTestIssuer } from '@org/auth-testing';",
    "const issuer = await createTestIssuer({ audience: 'orders' });",
    'const token: string = await issuer.sign();',
    '```',
    '```ts',
    "app.use(serviceAuth({ issuers: [{ issuer, jwksUri }], audience: 'payments' }));",
    '```',
    '<!-- fragment: ../readme-snippets.test.ts -->',
    '```ts',
    'this is not TypeScript at all',
    '```',
    '<!-- fragment: ../missing-example.ts -->',
    '```ts',
    'neither is this',
    '```',
    '',
  ].join('\n'),
};

describe('TypeScript blocks of the READMEs and guides', () => {
  const documents = documentsOf(root);
  const { snippets, problems } = checkSnippets(root, documents, [canary]);
  const own = problems.filter(({ where }) => !where.startsWith('packages/testing/test/snippets/CANARY.md'));

  it('finds the documents and their blocks', () => {
    expect(documents.map((file) => file.slice(root.length))).toEqual(
      expect.arrayContaining(['README.md', 'packages/core/README.md', 'packages/express/README.md']),
    );
    expect(snippets.filter(({ document }) => document !== canary.path).length).toBeGreaterThan(40);
  });

  it('compile as written, or are marked as fragments of a complete example they name', () => {
    expect(own.map(({ where, messages }) => `${where}\n  ${messages.join('\n  ')}`).join('\n')).toBe('');
  });

  it('would catch a block that does not compile, and a fragment marker that points nowhere', () => {
    const canaryProblems = problems.filter(({ where }) => where.includes('CANARY.md'));
    expect(canaryProblems.map(({ where }) => where.replace(/.*CANARY\.md/, 'CANARY.md'))).toEqual([
      'CANARY.md:15',
      'CANARY.md:7',
    ]);
    expect(canaryProblems[0]?.messages).toEqual([
      'fragment of ../missing-example.ts, which does not exist',
      'fragment of ../missing-example.ts, which the document never links to or names',
    ]);
    expect(canaryProblems[1]?.messages.join('\n')).toMatch(/line 8: Cannot find name 'app'/);
  });
});
