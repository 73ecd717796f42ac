// `goheap serve DUMP [BINARY] [--port 7000] [--host 127.0.0.1] [--baseline OLD_DUMP]`: the heap browser
// (viewer/). It listens at once and prints the URL; the dump loads in a worker meanwhile. Ctrl-C stops it.
import type { Argv } from 'yargs';
import { serve, ServeError } from '../../viewer/server.js';
import { UsageError } from '../errors.js';
import { cacheOption, numberOption } from '../open-heap.js';

export const command = 'serve <dump> [binary]';
export const describe = 'Browse the heap in a web browser (http://127.0.0.1:7000/): types, objects, retainers, dominators';

export interface ServeArgs {
  dump: string;
  binary?: string;
  port: number;
  host: string;
  baseline?: string;
  cache?: boolean;
  quiet?: boolean;
}

export function builder(y: Argv): Argv<ServeArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for Go types, field names and globals)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (another machine can reach it only if you say so)' })
    .option('baseline', { type: 'string', describe: 'an earlier dump of the same program, for the diff page' }) as unknown as Argv<ServeArgs>;
  return numberOption(cacheOption(a), 'port', { default: 7000, min: 0, max: 65535, integer: true, describe: 'port to listen on (0: any free port)' })
    .example('$0 serve heapdump mybinary', 'then open http://127.0.0.1:7000/')
    .example('$0 serve new.dump mybinary --baseline old.dump', 'with a diff page against old.dump');
}

export async function run(args: ServeArgs): Promise<void> {
  let running;
  try {
    running = await serve({
      dump: args.dump, binary: args.binary, baseline: args.baseline, port: args.port, host: args.host, noCache: args.cache === false,
      log: args.quiet ? () => undefined : undefined,
      onFatal: (line) => {
        process.stderr.write(`${line}\n`);
        process.exit(1);
      },
    });
  } catch (e) {
    if (e instanceof ServeError) throw new UsageError(e.message);
    throw e;
  }
  if (args.quiet) process.stderr.write(`${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stderr.write('goheap: stopping\n');
      // The loading worker (if still busy) must not keep the process alive.
      running.close().then(resolve, resolve);
      setTimeout(() => process.exit(0), 2000).unref();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  process.exit(0);
}
