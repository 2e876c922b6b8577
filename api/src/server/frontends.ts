import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../config.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** The SvelteKit adapter-node handler of an app, or a page that says how to build it. */
export async function loadFrontend(app: 'portal' | 'member-app'): Promise<NodeHandler> {
  const file = join(repoRoot, app, 'build', 'handler.js');
  if (existsSync(file)) return (await import(pathToFileURL(file).href)).handler as NodeHandler;
  return (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${app} is not built yet: run \`npm run build\` (npm start does this on a fresh clone).`);
  };
}
