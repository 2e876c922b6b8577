import { sql, type Kysely } from 'kysely';

// Issue 12: a search of two words ("siti nu") read every name suffix with that prefix from the index
// of 0031 — 600 to 1,900 at 1,000,000 members, since a first name and a middle name are shared by
// thousands — to keep the newest 26. Each suffix's first two words are now kept beside it, so two
// words are searched as one word is: each distinct pair with that prefix ("siti nur", "siti nanda")
// is read newest member first, as many as a page needs. Three words and more still read the
// suffix range, which for them is short.
// The pair is a generated column, so the trigger of 0031 and the rows it writes stay as they are;
// a suffix of one word has none.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table member_name_words add column phrase text collate "C" generated always as (
      case when strpos(suffix, ' ') > 0 then split_part(suffix, ' ', 1) || ' ' || split_part(suffix, ' ', 2) end
    ) stored`.execute(db);
  await sql`create index member_name_words_phrase on member_name_words (tenant_id, phrase, member_id desc) where phrase is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table member_name_words drop column phrase`.execute(db);
}
