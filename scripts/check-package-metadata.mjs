#!/usr/bin/env node
// What npm shows about each published package (every packages/* without `"private": true`):
//
// - package.json has `repository` ({ type: "git", url, directory: "packages/<dir>" }), `homepage`
//   (its folder on GitHub), `bugs` (the issue tracker) and non-empty `keywords`, and every package
//   names the same repository;
// - its README.md, which npm ships without the rest of the repository, has no relative link
//   (`../core`, `examples/x.ts`, `./docs/y.md`): dead on npmjs.com and in node_modules. Links to
//   `#anchors` of the same README stay. Links into the repository (`<repo>/blob/main/<path>` for a
//   file, `<repo>/tree/main/<path>` for a folder) must name a path that exists here.
//
//   node scripts/check-package-metadata.mjs [root]   one line per problem and exit 1, or a summary
//
// `root` (default: this repository) lets the check run on a copy, e.g. to try it on a broken one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const BRANCH = 'main';

/** `git+https://github.com/o/r.git` -> `https://github.com/o/r`, or undefined for another form. */
function webUrl(gitUrl) {
  return /^git\+(https:\/\/github\.com\/[\w.-]+\/[\w.-]+?)\.git$/.exec(gitUrl ?? '')?.[1];
}

/** Link destinations of a Markdown text, with their line numbers, outside code blocks and spans. */
function links(markdown) {
  const found = [];
  let fence = null; // the opening fence of the code block we are in, e.g. "```"
  markdown.split('\n').forEach((text, index) => {
    const line = index + 1;
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1]; // fences in list items are indented
    if (fence) {
      // A closing fence: the same character, at least as long, nothing after it.
      const closes =
        marker?.[0] === fence[0] &&
        marker.length >= fence.length &&
        /^\s*$/.test(text.trim().slice(marker.length));
      if (closes) fence = null;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    // Code spans (`...`, ``...``) hold code, not links.
    const prose = text.replace(/(`+)[\s\S]*?\1/g, '');
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) found.push({ line, url: definition[1] });
    for (const match of prose.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)/g)) found.push({ line, url: match[1] });
    for (const match of prose.matchAll(/\b(?:href|src)\s*=\s*["']([^"']*)["']/gi))
      found.push({ line, url: match[1] });
  });
  return found.map(({ line, url }) => ({ line, url: url.replace(/^<(.*)>$/, '$1') }));
}

/** True for a link that resolves against the file it is in (no scheme, not `//host`, not `#anchor`). */
function isRelative(url) {
  return !/^[a-z][a-z\d+.-]*:/i.test(url) && !url.startsWith('//') && !url.startsWith('#');
}

/** A URL path as a file path (`%20` -> space); a malformed escape stays as written. */
function decode(path) {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Problems with a link into the repository (`<web>/blob|tree/<branch>/<path>`), or none. */
function repositoryLinkProblem(url, web) {
  const match = new RegExp(
    `^${web.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(blob|tree)/([^/]+)/([^?#]*)`,
  ).exec(url);
  if (!match) return undefined;
  const [, kind, branch, path] = match;
  if (branch !== BRANCH) return `links to branch ${branch}, not ${BRANCH}`;
  const local = join(root, decode(path));
  if (!existsSync(local)) return `links to ${path}, which does not exist in the repository`;
  const isDirectory = statSync(local).isDirectory();
  if (kind === 'blob' && isDirectory) return `links to the folder ${path} with /blob/ (use /tree/)`;
  if (kind === 'tree' && !isDirectory) return `links to the file ${path} with /tree/ (use /blob/)`;
  return undefined;
}

/** The link into the repository that `url`, relative to the folder `where`, stands for, if it exists. */
function absoluteLink(url, where, web) {
  const [, path, suffix] = /^([^?#]*)(.*)$/.exec(url);
  const target = relative(root, resolve(root, where, decode(path)));
  if (target.startsWith('..') || !existsSync(join(root, target))) return undefined;
  const kind = statSync(join(root, target)).isDirectory() ? 'tree' : 'blob';
  return `${web}/${kind}/${BRANCH}/${target.split(sep).join('/')}${suffix}`;
}

const problems = [];
const repositories = new Map(); // url -> package names
let checked = 0;

for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const manifestPath = join(root, 'packages', dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const pkg = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (pkg.private === true) continue;
  checked++;
  const where = `packages/${dir}`;
  const problem = (text) => problems.push(`${pkg.name} (${where}): ${text}`);

  const { repository } = pkg;
  const web = typeof repository === 'object' ? webUrl(repository?.url) : undefined;
  if (typeof repository !== 'object' || repository === null) {
    problem('package.json has no `repository` object ({ "type": "git", "url", "directory" })');
  } else {
    if (repository.type !== 'git') problem('`repository.type` is not "git"');
    if (!web)
      problem(
        `\`repository.url\` is not of the form git+https://github.com/<owner>/<repo>.git: ${repository.url}`,
      );
    else repositories.set(repository.url, [...(repositories.get(repository.url) ?? []), pkg.name]);
    if (repository.directory !== where)
      problem(`\`repository.directory\` is not "${where}": ${repository.directory}`);
  }
  if (web) {
    const homepage = `${web}/tree/${BRANCH}/${where}#readme`;
    if (pkg.homepage !== homepage) problem(`\`homepage\` is not "${homepage}": ${pkg.homepage}`);
    const bugs = `${web}/issues`;
    if (pkg.bugs?.url !== bugs) problem(`\`bugs\` is not { "url": "${bugs}" }: ${JSON.stringify(pkg.bugs)}`);
  } else {
    if (typeof pkg.homepage !== 'string') problem('package.json has no `homepage`');
    if (typeof pkg.bugs?.url !== 'string') problem('package.json has no `bugs.url`');
  }
  const { keywords } = pkg;
  if (!Array.isArray(keywords) || keywords.length === 0) {
    problem('package.json has no `keywords`');
  } else {
    for (const keyword of keywords) {
      if (typeof keyword !== 'string' || !/^[a-z\d][a-z\d.-]*$/.test(keyword))
        problem(`keyword ${JSON.stringify(keyword)} is not lowercase-with-dashes`);
    }
    if (new Set(keywords).size !== keywords.length) problem('`keywords` has duplicates');
  }

  // npm packs README.md whatever `files` says.
  const readmePath = join(root, where, 'README.md');
  if (!existsSync(readmePath)) {
    problem('has no README.md');
    continue;
  }
  for (const { line, url } of links(readFileSync(readmePath, 'utf8'))) {
    if (isRelative(url)) {
      const absolute = web && absoluteLink(url, where, web);
      const hint = absolute ? `: use ${absolute}` : '';
      problems.push(`${where}/README.md:${line}: relative link ${url} is dead in the npm tarball${hint}`);
      continue;
    }
    const linkProblem = web && repositoryLinkProblem(url, web);
    if (linkProblem) problems.push(`${where}/README.md:${line}: ${url} ${linkProblem}`);
  }
}

if (repositories.size > 1) {
  problems.push(
    `the published packages name different repositories: ${[...repositories].map(([url, names]) => `${url} (${names.join(', ')})`).join('; ')}`,
  );
}
if (checked === 0) problems.push('no published package found under packages/');

for (const line of problems) console.error(line);
console.log(`package metadata: ${checked} published packages checked, ${problems.length} problem(s)`);
process.exit(problems.length > 0 ? 1 : 0);
