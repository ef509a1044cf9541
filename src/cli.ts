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

const positiveInt = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) throw new InvalidArgumentError('expected a whole number from 1 to 100000');
  return Number(value);
};

program
  .command('start')
  .description('Run tickstream. Configuration comes from the environment (see `tickstream config`); flags override it.')
  .option('-r, --roles <roles>', 'comma-separated roles (generator, processor, gateway, api, alerts, analytics) or `all`; overrides ROLES')
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
  .command('dead-letters')
  .description('Print the order commands in the dead-letter queue (<ORDER_QUEUE>.dead on AMQP_URL), one JSON object per line: id, reason, attempts, message. Leaves them on the queue.')
  .option('-n, --limit <count>', 'at most this many', positiveInt, 100)
  .action(async (options: { limit: number }) => {
    let config;
    try {
      config = loadConfig(process.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      console.error(`tickstream: ${error.message}`);
      process.exit(2);
    }
    const { deadLettersCommand } = await import('./dead-letters/run.js');
    const code = await deadLettersCommand(config, options.limit, (line) => process.stdout.write(`${line}\n`), (line) => console.error(line));
    process.stdout.write('', () => process.exit(code));
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

program
  .command('replay')
  .description('Replay a CSV (with a header) or NDJSON file of trades into a running server through its ingest API, at the file’s pace times --speed. Progress on stdout (a bar on a terminal), bad lines on stderr.')
  .argument('<file>', 'CSV with columns symbol, price and timestamp (ts/time; epoch ms or ISO 8601), optionally size; or NDJSON objects of the same fields')
  .option('-s, --speed <factor>', 'original pace times this, or `max` for as fast as the server takes them', '1')
  .option('--loop', 'start over at the end of the file (Ctrl+C ends it)')
  .option('--strict', 'stop at the first bad line (exit code 2) instead of skipping it')
  .option('-u, --url <url>', 'server base URL (default: $TICKSTREAM_HTTP_URL or http://localhost:8080)')
  .option('-k, --key <secret>', 'an INGEST_API_KEYS secret of the server (default: $TICKSTREAM_INGEST_KEY)')
  .action(async (file: string, options: { speed?: string; loop?: boolean; strict?: boolean; url?: string; key?: string }) => {
    const { replayCommand } = await import('./replay/run.js');
    const code = await replayCommand(file, options);
    process.stdout.write('', () => process.exit(code));
  });

await program.parseAsync(process.argv);
