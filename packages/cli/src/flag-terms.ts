import { AuthConfigError } from '@org/auth-core';

/** Library options that error messages recommend, and the CLI flag that sets each. */
const FLAG_OF_OPTION: Readonly<Record<string, string>> = {
  allowLongLifetime: '--allow-long-lifetime',
  allowInsecureHttp: '--allow-insecure-http',
};

const RECOMMENDED_OPTION = new RegExp(
  `\\b(set )?(${Object.keys(FLAG_OF_OPTION).join('|')})(?:: true)?\\b`,
  'g',
);

/**
 * An error's message in the words of the command line. The option path of a configuration error
 * becomes the flag that set it (`lifetime: ...` → `--lifetime: ...`), and a library option the
 * message recommends becomes its flag (`set allowLongLifetime: true` → `pass --allow-long-lifetime`).
 *
 * @param flagOf the flag (with its value where that helps) that set an option path, if any
 */
export function inFlagTerms(error: unknown, flagOf: (option: string) => string | undefined): string {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof AuthConfigError && message.startsWith(`${error.option}: `)) {
    const flag = flagOf(error.option);
    if (flag !== undefined) message = `${flag}: ${message.slice(error.option.length + 2)}`;
  }
  return message.replace(
    RECOMMENDED_OPTION,
    (_, set: string | undefined, option: string) => `${set ? 'pass ' : ''}${FLAG_OF_OPTION[option]}`,
  );
}
