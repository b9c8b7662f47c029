import { describe, expect, it } from 'vitest';
import { defineCommand, parseCommand, renderHelp, UsageError, wantsHelp } from '../src/command-spec.js';

const DEPLOY = defineCommand({
  name: 'deploy',
  summary: 'Deploy a service',
  usage: '<service> [options]',
  description: ['Deploys a service.'],
  flags: {
    region: { type: 'string', value: '<name>', help: 'where to deploy' },
    tag: { type: 'string', multiple: true, value: '<tag>', help: 'a tag; repeatable' },
    force: { type: 'boolean', help: 'deploy even when checks fail' },
  },
  examples: ['service-auth deploy orders --region eu'],
});

function usageError(args: string[]): string {
  try {
    parseCommand(DEPLOY, args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`no usage error for ${args.join(' ')}`);
}

describe('command specs', () => {
  it('parses typed values and positionals', () => {
    const { values, positionals } = parseCommand(DEPLOY, [
      'orders',
      '--region',
      'eu',
      '--tag',
      'a',
      '--tag',
      'b',
    ]);
    expect(values).toEqual({ region: 'eu', tag: ['a', 'b'] });
    expect(positionals).toEqual(['orders']);
  });

  it('names the closest flag for a typo, and none for a word far from every flag', () => {
    expect(usageError(['--regoin', 'eu'])).toBe(
      'unknown option --regoin for deploy (did you mean --region?)',
    );
    expect(usageError(['--Force'])).toBe('unknown option --Force for deploy (did you mean --force?)');
    expect(usageError(['--tags=a'])).toBe('unknown option --tags for deploy (did you mean --tag?)');
    expect(usageError(['-region', 'eu'])).toBe('unknown option -region for deploy (did you mean --region?)');
    expect(usageError(['--verbose'])).toBe('unknown option --verbose for deploy');
  });

  it('keeps other parse errors to one line', () => {
    expect(usageError(['--region'])).toBe('--region needs a value');
    expect(usageError(['--force=yes'])).not.toContain('\n');
  });

  it('wants help for --help or -h before any --', () => {
    expect(wantsHelp(['orders', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['orders', '--', '--help'])).toBe(false);
    expect(wantsHelp(['--helpful'])).toBe(false);
  });

  it('renders the usage, every flag with its value and help, and the example', () => {
    expect(renderHelp(DEPLOY)).toBe(
      [
        'Usage: service-auth deploy <service> [options]',
        '',
        'Deploys a service.',
        '',
        'Options:',
        '  --region <name>  where to deploy',
        '  --tag <tag>      a tag; repeatable',
        '  --force          deploy even when checks fail',
        '  -h, --help       show this help',
        '',
        'Example:',
        '  service-auth deploy orders --region eu',
        '',
      ].join('\n'),
    );
  });
});
