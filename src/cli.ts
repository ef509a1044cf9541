#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from './config/load.js';
import { ConfigError } from './config/schema-kit.js';
import { configTable } from './config/table.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command()
  .name('tickstream')
  .description('Real-time market data: simulated ticks → event log → processor → WebSocket and REST clients.')
  .version(version)
  .showHelpAfterError();

const port = (value: string): string => {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return value;
};

program
  .command('start')
  .description('Run tickstream. Configuration comes from the environment (see `tickstream config`); flags override it.')
  .option('-r, --roles <roles>', 'comma-separated roles (generator, processor, gateway, api, alerts) or `all`; overrides ROLES')
  .option('-p, --port <port>', 'HTTP/WebSocket port; overrides PORT', port)
  .action(async (options: { roles?: string; port?: string }) => {
    const env = { ...process.env };
    if (options.roles !== undefined) env.ROLES = options.roles;
    if (options.port !== undefined) env.PORT = options.port;
    try {
      const config = loadConfig(env);
      // Loaded here so `tail` and `config` start without the server's engines.
      const { runProcess } = await import('./wiring/run.js');
      await runProcess(config, version);
    } catch (error) {
      if (error instanceof ConfigError) {
        console.error(`tickstream: ${error.message}`);
        process.exit(2);
      }
      throw error;
    }
  });

program
  .command('config')
  .description('Print every configuration key with its default and meaning (Markdown table).')
  .action(() => {
    process.stdout.write(configTable() + '\n');
  });

program
  .command('tail')
  .description('Follow live prices: a table redrawn in place on a terminal, one JSON tick per line otherwise. Reconnects and resumes by itself; Ctrl+C ends it.')
  .argument('[symbols...]', 'symbols to follow (default: every symbol)')
  .option('-u, --url <url>', 'gateway WebSocket URL (default: $TICKSTREAM_URL or ws://localhost:8080/ws)')
  .option('--json', 'one tick JSON object per line, even on a terminal')
  .option('--table', 'the live table, even when stdout is not a terminal')
  .action(async (symbols: string[], options: { url?: string; json?: boolean; table?: boolean }) => {
    const { tailCommand } = await import('./tail/run.js');
    const code = await tailCommand(symbols, options);
    // Exit once stdout has taken the last write (HTTP keep-alive sockets must not hold the process).
    process.stdout.write('', () => process.exit(code));
  });

await program.parseAsync(process.argv);
