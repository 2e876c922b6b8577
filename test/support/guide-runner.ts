import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Runs the ```sh blocks of a Markdown guide with bash and curl, and compares each answer with the
// ```http block that follows it. In an expected answer, "…" stands for any value (or any text, inside
// a string), "$NAME" takes the actual value into the variable NAME for the next blocks (or must equal
// it when NAME is set already), objects list the members they check and arrays every element.

export interface GuideStep {
  section: string;
  script: string;
  /** From an HTML comment right before the block: `<!-- test: slow -->`. */
  marker?: string;
  expected?: string;
}

export function readGuide(path: string): GuideStep[] {
  const steps: GuideStep[] = [];
  let section = '';
  const blocks = /^(#{1,3}) (.+)$|(?:<!-- test: (.+?) -->\n)?^```(sh|http)\n([\s\S]*?)^```$/gm;
  for (const match of readFileSync(path, 'utf8').matchAll(blocks)) {
    if (match[2]) section = match[2];
    else if (match[4] === 'sh') steps.push({ section, script: match[5], marker: match[3] });
    else if (steps.length) steps[steps.length - 1].expected = match[5];
  }
  return steps;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Runs one block; returns what curl printed and the shell variables after it. */
export async function runStep(script: string, vars: Record<string, string>, cwd: string): Promise<{ output: string; vars: Record<string, string> }> {
  const envFile = join(cwd, '.guide-env');
  const child = spawn('bash', ['-c', `set -a\n${script}\nenv -0 > ${envFile}`], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (errors += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`the block failed (${code}): ${errors}\n${script}`);
  const after = Object.fromEntries(readFileSync(envFile, 'utf8').split('\0').filter(Boolean).map((line) => {
    const at = line.indexOf('=');
    return [line.slice(0, at), line.slice(at + 1)];
  }));
  return { output, vars: after };
}

/** Parses `curl -i` output, or the expected answer written the same way. */
export function parseHttp(text: string): HttpAnswer {
  const [head, ...rest] = text.replace(/\r\n/g, '\n').split('\n\n');
  const [statusLine, ...headerLines] = head.trim().split('\n');
  const headers = Object.fromEntries(headerLines.map((line) => {
    const at = line.indexOf(':');
    return [line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()];
  }));
  const body = rest.join('\n\n').trim();
  return { status: Number(statusLine.split(' ')[1]), headers, body: body ? JSON.parse(body) : undefined };
}

/** The differences between an expected and an actual answer; captures `$NAME` values into vars. */
export function compareAnswer(expected: HttpAnswer, actual: HttpAnswer, vars: Record<string, string>): string[] {
  const differences: string[] = [];
  if (actual.status !== expected.status) differences.push(`status ${actual.status}, expected ${expected.status}: ${JSON.stringify(actual.body)}`);
  for (const [name, value] of Object.entries(expected.headers)) {
    if (!actual.headers[name]?.startsWith(value)) differences.push(`header ${name}: ${actual.headers[name]}, expected ${value}`);
  }
  compareValue(expected.body, actual.body, 'body', vars, differences);
  return differences;
}

function compareValue(expected: unknown, actual: unknown, path: string, vars: Record<string, string>, differences: string[]): void {
  const differ = () => differences.push(`${path}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  if (expected === '…') return;
  if (typeof expected === 'string') {
    const variable = /^\$([A-Z_]+)$/.exec(expected)?.[1];
    if (variable && vars[variable] === undefined) {
      if (typeof actual === 'string') vars[variable] = actual;
      else differ();
    } else if (variable) {
      if (actual !== vars[variable]) differ();
    } else if (expected.includes('…')) {
      const pattern = new RegExp(`^${expected.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
      if (typeof actual !== 'string' || !pattern.test(actual)) differ();
    } else if (actual !== expected) differ();
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return void differ();
    expected.forEach((item, i) => compareValue(item, actual[i], `${path}.${i}`, vars, differences));
    return;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return void differ();
    for (const [key, value] of Object.entries(expected)) compareValue(value, (actual as Record<string, unknown>)[key], `${path}.${key}`, vars, differences);
    return;
  }
  if (actual !== expected) differ();
}
