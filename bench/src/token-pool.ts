import { readFileSync } from 'node:fs';
import type { TokenFile } from './shared.js';

// The token files of one load generator process, each read once, and where each fresh pool was left.
const files = new Map<string, TokenFile>();
const cursors = new Map<string, number>();

/** The token file at `path` (the reused token and the pool of fresh ones), read once per process. */
export function tokenFile(path: string): TokenFile {
  let file = files.get(path);
  if (!file) {
    file = JSON.parse(readFileSync(path, 'utf8')) as TokenFile;
    files.set(path, file);
  }
  return file;
}

/**
 * The fresh tokens of `path` in turn, starting where the previous run of this process stopped, so
 * that a warm-up and its measured run never share a token; `save()` keeps the position.
 */
export function freshTokens(path: string): { next(): string; save(): void } {
  const { pool } = tokenFile(path);
  let cursor = cursors.get(path) ?? 0;
  return {
    next: () => pool[cursor++ % pool.length] ?? '',
    save: () => void cursors.set(path, cursor % pool.length),
  };
}
