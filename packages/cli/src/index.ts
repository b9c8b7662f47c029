export { type CliIo, EXIT, runCli } from './cli.js';
