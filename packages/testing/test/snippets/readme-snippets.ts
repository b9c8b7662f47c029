/**
 * Extracts the TypeScript code blocks of Markdown documents and typechecks them all in one
 * TypeScript program, against the workspace packages' sources (`@org/*` mapped to `src/`).
 *
 * Each block is its own module, placed (virtually) next to its document, so its imports resolve
 * from the document's package as they would for a reader working there. A block is skipped only
 * when the line right before it is a fragment marker naming the complete example it belongs to:
 *
 * ```md
 * <!-- fragment: examples/readme-example.ts -->
 * ```
 *
 * The named file (relative to the document) must exist and the document must link to it or name
 * it in its text, so a reader sees where the whole example is.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One TypeScript code block of a document. */
export interface Snippet {
  /** The document, absolute. */
  readonly document: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly code: string;
  /** The complete example it is a fragment of, when marked as one (relative to the document). */
  readonly fragmentOf: string | undefined;
}

/** What is wrong with one snippet: compiler errors, or a fragment marker that points nowhere. */
export interface SnippetProblem {
  /** `packages/express/README.md:23`, from the repository root. */
  readonly where: string;
  readonly messages: readonly string[];
}

const FENCE = /^```(ts|typescript)\s*$/;
const FRAGMENT = /^<!--\s*fragment:\s*(\S+)\s*-->$/;

/** The TypeScript code blocks of one document. */
export function extractSnippets(document: string, text: string): Snippet[] {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (!FENCE.test(lines[index] ?? '')) continue;
    const start = index;
    let end = index + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? '')) end += 1;
    let before = start - 1;
    while (before >= 0 && (lines[before] ?? '').trim() === '') before -= 1;
    const marker = FRAGMENT.exec((lines[before] ?? '').trim());
    snippets.push({
      document,
      line: start + 1,
      code: lines.slice(start + 1, end).join('\n'),
      fragmentOf: marker?.[1],
    });
    index = end;
  }
  return snippets;
}

/**
 * The documents whose snippets are checked: the root README, every package's and example's
 * README, and the guides in `docs/`.
 */
export function documentsOf(root: string): string[] {
  const inFolders = (folder: string) =>
    existsSync(join(root, folder))
      ? readdirSync(join(root, folder), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(root, folder, entry.name, 'README.md'))
      : [];
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .map((name) => join(root, 'docs', name))
    : [];
  return [
    join(root, 'README.md'),
    ...inFolders('packages'),
    ...inFolders('examples'),
    join(root, 'bench', 'README.md'),
    ...docs,
  ].filter((file) => existsSync(file));
}

/**
 * `@org/*` → the package's sources, for the root and every subpath of its `exports` map
 * (`./dist/adapter/index.d.ts` → `src/adapter/index.ts`).
 */
export function workspacePaths(root: string): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const entry of readdirSync(join(root, 'packages'), { withFileTypes: true })) {
    const dir = join(root, 'packages', entry.name);
    if (!entry.isDirectory() || !existsSync(join(dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      exports?: Record<string, string | { types?: string }>;
    };
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const types = typeof target === 'string' ? target : target.types;
      if (types === undefined || !/\.(d\.)?ts$/.test(types)) continue;
      const source = types.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts');
      if (!existsSync(join(dir, source))) continue;
      paths[subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`] = [join(dir, source)];
    }
  }
  return paths;
}

/**
 * Typechecks every snippet that is not a fragment in one program and returns the problems
 * found: compiler errors of the snippet itself, or a fragment marker naming a file that does not
 * exist or that the document never mentions. `extra` documents (path and text) are checked as if
 * they were on disk.
 */
export function checkSnippets(
  root: string,
  documents: readonly string[],
  extra: ReadonlyArray<{ path: string; text: string }> = [],
): { snippets: Snippet[]; problems: SnippetProblem[] } {
  const texts = new Map<string, string>(documents.map((file) => [file, readFileSync(file, 'utf8')]));
  for (const { path, text } of extra) texts.set(path, text);
  const where = (snippet: Snippet) => `${relative(root, snippet.document)}:${snippet.line}`;

  const snippets = [...texts].flatMap(([file, text]) => extractSnippets(file, text));
  const problems: SnippetProblem[] = [];
  for (const snippet of snippets) {
    if (snippet.fragmentOf === undefined) continue;
    const target = resolve(dirname(snippet.document), snippet.fragmentOf);
    const text = texts.get(snippet.document) ?? '';
    const messages: string[] = [];
    if (!existsSync(target)) messages.push(`fragment of ${snippet.fragmentOf}, which does not exist`);
    if (!text.replace(/<!--[\s\S]*?-->/g, '').includes(snippet.fragmentOf))
      messages.push(`fragment of ${snippet.fragmentOf}, which the document never links to or names`);
    if (messages.length > 0) problems.push({ where: where(snippet), messages });
  }

  // Each snippet becomes a module next to its document: README.md.12.ts for the block at line 12.
  const files = new Map<string, Snippet>();
  for (const snippet of snippets) {
    if (snippet.fragmentOf === undefined) files.set(`${snippet.document}.${snippet.line}.ts`, snippet);
  }

  const base = ts.readConfigFile(join(root, 'tsconfig.base.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(base.config, ts.sys, root);
  const compilerOptions: ts.CompilerOptions = {
    ...options,
    noEmit: true,
    declaration: false,
    declarationMap: false,
    sourceMap: false,
    // Every block is a module of its own, with or without imports: no name leaks between blocks.
    moduleDetection: ts.ModuleDetectionKind.Force,
    // Blocks show calls, not programs: a local they define and never read is fine.
    noUnusedLocals: false,
    noUnusedParameters: false,
    allowUnusedLabels: false,
    typeRoots: [join(root, 'node_modules', '@types')],
    paths: workspacePaths(root),
  };

  const host = ts.createCompilerHost(compilerOptions);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists.call(host, file);
  host.readFile = (file) => files.get(file)?.code ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, shouldCreate) => {
    const snippet = files.get(file);
    if (snippet !== undefined)
      return ts.createSourceFile(file, snippet.code, language, true, ts.ScriptKind.TS);
    return getSourceFile.call(host, file, language, onError, shouldCreate);
  };

  // A block resolves its imports from its document's folder; the root README and the guides have
  // no dependencies of their own, so what is not found there is looked up in the packages'.
  const fallbacks = readdirSync(join(root, 'packages')).map((name) =>
    join(root, 'packages', name, 'README.md.resolve.ts'),
  );
  const cache = ts.createModuleResolutionCache(root, (name) => name, compilerOptions);
  host.resolveModuleNameLiterals = (literals, containingFile, redirected, resolveOptions, containing) =>
    literals.map((literal) => {
      const mode = ts.getModeForUsageLocation(containing, literal, resolveOptions);
      const from = (file: string) =>
        ts.resolveModuleName(literal.text, file, resolveOptions, host, cache, redirected, mode);
      const resolved = from(containingFile);
      if (resolved.resolvedModule !== undefined || !files.has(containingFile)) return resolved;
      for (const fallback of fallbacks) {
        const found = from(fallback);
        if (found.resolvedModule !== undefined) return found;
      }
      return resolved;
    });

  const program = ts.createProgram({ rootNames: [...files.keys()], options: compilerOptions, host });
  for (const [file, snippet] of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) continue;
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    if (diagnostics.length === 0) continue;
    problems.push({
      where: where(snippet),
      messages: diagnostics.map((diagnostic) => {
        const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
        if (diagnostic.start === undefined) return text;
        const { line } = source.getLineAndCharacterOfPosition(diagnostic.start);
        // Line numbers of the document, so the message points at the README line to fix.
        return `line ${snippet.line + line + 1}: ${text}`;
      }),
    });
  }
  return { snippets, problems };
}
