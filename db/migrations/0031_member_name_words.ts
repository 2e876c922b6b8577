import { sql, type Kysely } from 'kysely';

// Issue 12: the member search matches its text at the start of the name or of any later word. At
// 1,000,000 members with Indonesian names (a vocabulary of a few hundred words), the trigram index
// of 0028 read long posting lists and a thousand heap pages for "siti nu" (40–60 ms, p99 370 ms).
// Here each name is kept as its suffixes from every word start, lowercased ("siti nurhaliza" →
// "siti nurhaliza", "nurhaliza"), with the suffix's first word beside it:
// - one word typed ("sit"): each distinct word with that prefix is read newest member first, as many
//   as a page needs (a skip scan: a few words × one page, whatever the name's frequency);
// - more ("siti nu"): the suffixes with that prefix, a range of the suffix index.
// Collation "C": byte order, so `like 'x%'` and `>` are plain ranges of these btrees under any
// database collation. A trigger keeps the rows in step with members.name (insert, rename, erasure).
const up_statements = [
  `create table member_name_words (
    tenant_id uuid not null,
    member_id uuid not null,
    starts_at smallint not null,
    word text collate "C" not null,
    suffix text collate "C" not null,
    primary key (tenant_id, member_id, starts_at),
    foreign key (tenant_id, member_id) references members (tenant_id, id) on delete cascade
  )`,
  `create index member_name_words_word on member_name_words (tenant_id, word, member_id desc)`,
  `create index member_name_words_suffix on member_name_words (tenant_id, suffix) include (member_id)`,
  // Word starts are the name's first character and every character after a space; a suffix that
  // starts with a space (two spaces in a row) can never match a trimmed search text.
  `create function kartu_name_suffixes(name text)
     returns table (starts_at smallint, word text, suffix text) language sql immutable as $$
     select p::smallint, split_part(s, ' ', 1), s
     from (select p, substr(l.n, p) as s from (select lower(name) as n) l, generate_series(1, length(l.n)) p
           where p = 1 or substr(l.n, p - 1, 1) = ' ') w
     where s <> '' and left(s, 1) <> ' '
   $$`,
  `create function kartu_sync_member_name_words() returns trigger language plpgsql as $$
   begin
     if tg_op = 'UPDATE' then
       if new.name is not distinct from old.name then return null; end if;
       delete from member_name_words where tenant_id = old.tenant_id and member_id = old.id;
     end if;
     insert into member_name_words (tenant_id, member_id, starts_at, word, suffix)
     select new.tenant_id, new.id, s.starts_at, s.word, s.suffix from kartu_name_suffixes(new.name) s;
     return null;
   end $$`,
  `create trigger members_name_words after insert or update of name on members
     for each row execute function kartu_sync_member_name_words()`,
  `insert into member_name_words (tenant_id, member_id, starts_at, word, suffix)
   select m.tenant_id, m.id, s.starts_at, s.word, s.suffix from members m cross join lateral kartu_name_suffixes(m.name) s`,
  `drop index if exists members_name_trgm`,
];

const down_statements = [
  `drop trigger members_name_words on members`,
  `drop function kartu_sync_member_name_words()`,
  `drop function kartu_name_suffixes(text)`,
  `drop table member_name_words`,
  `create index members_name_trgm on members using gin (lower(name) gin_trgm_ops) with (fastupdate = off)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
