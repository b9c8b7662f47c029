import { parseArgs } from 'node:util';
import { closest } from '@org/auth-core/adapter';

/** A usage or input error: exit code 2, a one-line message and a pointer to the help. */
export class UsageError extends Error {}

/** One flag: how `parseArgs` reads it and how the help describes it. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
  /** Placeholder of the value in the help, such as `<file>`. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
}

/** A subcommand: its flags and everything its `--help` prints. */
export interface CommandSpec<F extends Readonly<Record<string, FlagSpec>>> {
  readonly name: string;
  /** One line, for the command list of `service-auth --help`. */
  readonly summary: string;
  /** What follows `service-auth <name>` on the usage line. */
  readonly usage: string;
  /** Paragraphs printed under the usage line. */
  readonly description: readonly string[];
  readonly flags: F;
  readonly examples: readonly string[];
  /** Lines printed after the examples (exit codes, notes). */
  readonly notes?: readonly string[];
}

/** The values `parseArgs` reads for some flags: strings, string lists and booleans. */
export type FlagValues<F extends Readonly<Record<string, FlagSpec>>> = {
  readonly [K in keyof F]?: F[K] extends { readonly type: 'boolean' }
    ? boolean
    : F[K] extends { readonly multiple: true }
      ? string[]
      : string;
};

/** A command's parsed arguments. */
export interface ParsedCommand<F extends Readonly<Record<string, FlagSpec>>> {
  readonly values: FlagValues<F>;
  readonly positionals: readonly string[];
}

const HELP_FLAG = { help: { type: 'boolean', short: 'h', help: 'show this help' } } as const;

/** Adds `-h, --help` to a command's flags. */
export function defineCommand<const F extends Readonly<Record<string, FlagSpec>>>(
  spec: CommandSpec<F>,
): CommandSpec<F & typeof HELP_FLAG> {
  return { ...spec, flags: { ...spec.flags, ...HELP_FLAG } };
}

/** True when `--help` or `-h` comes before any `--` end of options. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/**
 * Parses a command's arguments strictly.
 *
 * @throws {UsageError} for an unknown flag (naming the closest known one when it looks like a
 * typo: `--audiance` → `--audience`), a missing value or a value given to a boolean flag
 */
export function parseCommand<const F extends Readonly<Record<string, FlagSpec>>>(
  spec: CommandSpec<F>,
  args: readonly string[],
): ParsedCommand<F> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: spec.flags as Readonly<Record<string, FlagSpec>>,
      strict: true,
      allowPositionals: true,
    });
    return { values: values as FlagValues<F>, positionals };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownFlag(spec, args) : undefined;
    // Node's messages span several lines; ours are one line followed by the hint.
    const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');
    const missing = /^Option '(-[^' ]+)(?: <value>)?' argument missing/.exec(message)?.[1];
    throw new UsageError(unknown ?? (missing === undefined ? message : `${missing} needs a value`));
  }
}

function unknownFlag(
  spec: CommandSpec<Readonly<Record<string, FlagSpec>>>,
  args: readonly string[],
): string | undefined {
  const { tokens } = parseArgs({
    args: [...args],
    options: spec.flags,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = Object.keys(spec.flags);
  for (const token of tokens) {
    if (token.kind !== 'option' || known.includes(token.name)) continue;
    // `-audience` is parsed as the short flags -a -u -d ...: suggest for the whole word.
    const raw = (args[token.index] ?? token.rawName).split('=')[0] ?? token.rawName;
    const suggestion = closest(raw.replace(/^--?/, ''), known);
    return `unknown option ${raw} for ${spec.name}${suggestion === undefined ? '' : ` (did you mean --${suggestion}?)`}`;
  }
  return undefined;
}

/** The text of `service-auth <command> --help`. */
export function renderHelp(spec: CommandSpec<Readonly<Record<string, FlagSpec>>>): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => [
    `${flag.short === undefined ? '' : `-${flag.short}, `}--${name}${flag.value === undefined ? '' : ` ${flag.value}`}`,
    flag.help,
  ]);
  const width = Math.max(...rows.map(([label]) => label?.length ?? 0)) + 2;
  return [
    `Usage: service-auth ${spec.name} ${spec.usage}`,
    '',
    ...spec.description,
    '',
    'Options:',
    ...rows.map(([label = '', help]) => `  ${label.padEnd(width)}${help}`),
    '',
    spec.examples.length === 1 ? 'Example:' : 'Examples:',
    ...spec.examples.map((example) => `  ${example}`),
    ...(spec.notes === undefined ? [] : ['', ...spec.notes]),
    '',
  ].join('\n');
}
