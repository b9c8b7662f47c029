import type { Call, Step } from './scenario.js';
import { grpcStatusName } from './shipping.js';

export interface Style {
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

const ansi = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const plain = (text: string) => text;

/** Colour on a terminal (unless NO_COLOR is set), plain text otherwise. */
export function styleFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
  const colour = stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb';
  return colour
    ? { green: ansi(32), red: ansi(31), dim: ansi(2), bold: ansi(1) }
    : { green: plain, red: plain, dim: plain, bold: plain };
}

function formatCall(call: Call, style: Style): string {
  const grpc = call.transport === 'grpc';
  const accepted = grpc ? call.status === 0 : call.status > 0 && call.status < 400;
  const outcome = accepted ? 'accepted' : 'rejected';
  // gRPC statuses by name: `OK`, `PERMISSION_DENIED`.
  const shown = (code: number) => (grpc ? grpcStatusName(code) : String(code));
  const status = `${`${shown(call.status)} ${outcome}`.padEnd(13)} `;
  const mark = call.ok
    ? ''
    : style.red(
        `  ✘ expected ${shown(call.expected.status)}${call.expected.code ? ` ${call.expected.code}` : ''}`,
      );
  const coloured = outcome === 'accepted' ? style.green(status) : style.red(status);
  return `   ${call.caller.padEnd(13)}→ ${call.callee.padEnd(14)}${call.route.padEnd(28)}${coloured}${call.reason}${mark}`;
}

/** A step as a few readable lines: caller → callee, route, outcome and the reason for each call. */
export function formatStep(step: Step, style: Style): string {
  const lines = [style.bold(`${step.number}. ${step.title}`)];
  lines.push(...step.calls.map((call) => formatCall(call, style)));
  lines.push(...step.notes.map((note) => style.dim(`   ${note}`)));
  lines.push(step.ok ? style.green('   ✔ as expected') : style.red(`   ✘ ${step.problems.join('; ')}`));
  return lines.join('\n');
}
