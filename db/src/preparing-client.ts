import pg from 'pg';

// A statement is named the fifth time this process sends it (pgjdbc's default threshold), and at
// most 200 are: PostgreSQL keeps each once per connection.
const AFTER = 5;
const MAX_NAMED = 200;

// Statements longer than this (bulk inserts of many rows) are not worth a plan kept per connection.
const MAX_TEXT = 8_000;
// A plan cached for a statement whose result columns a migration then changed (a rolling deploy),
// and a named statement the server no longer has (its session was reset): each is sent again under
// a new name.
const staleStatement = (error: { code?: string; message?: string }) =>
  error.code === '26000' || (error.code === '0A000' && /cached plan must not change result type/.test(error.message ?? ''));

/**
 * A pg Client class that names the parameterised statements this process sends often, as Npgsql's
 * automatic preparation does: PostgreSQL then parses each once per connection and, once its generic
 * plan is estimated no dearer than the plans made for given values, stops planning it. Planning was
 * most of PostgreSQL's time in a member search at 1,000,000 members (0.5–0.7 ms; running it 0.1–0.6).
 * Statements without parameters (transaction control, migrations) go through unchanged.
 */
export function autoPreparingClient(): typeof pg.Client {
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  let named = 0;

  const nameOf = (text: string): string | undefined => {
    const name = names.get(text);
    if (name || names.size >= MAX_NAMED || text.length > MAX_TEXT) return name;
    const count = (seen.get(text) ?? 0) + 1;
    if (count < AFTER) {
      if (seen.size >= 1_000) seen.clear(); // texts with values written into them never repeat
      seen.set(text, count);
      return undefined;
    }
    seen.delete(text);
    const fresh = `kartu_${++named}`;
    names.set(text, fresh);
    return fresh;
  };

  class AutoPreparingClient extends pg.Client {
    // kysely calls query(text, values) and awaits the promise; every other form passes through.
    override query(...args: unknown[]): never {
      const [text, values] = args;
      const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length ? nameOf(text) : undefined;
      if (!name) return (super.query as (...a: unknown[]) => never)(...args);
      return this.named(name, text as string, values as unknown[]) as never;
    }

    private async named(name: string, text: string, values: unknown[]) {
      try {
        return await super.query({ name, text, values });
      } catch (error) {
        if (!staleStatement(error as Error & { code?: string }) || names.get(text) !== name) throw error;
        names.delete(text);
        // Outside a transaction nothing was done: send it again, under a new name. Inside one the
        // transaction has failed; the caller sees the error, and the next use is prepared anew.
        if (this.getTransactionStatus() !== 'I') throw error;
        const fresh = `kartu_${++named}`;
        names.set(text, fresh);
        return super.query({ name: fresh, text, values });
      }
    }
  }
  return AutoPreparingClient;
}
