import { sql, type Kysely } from 'kysely';

// One-time codes that prove a member is at the till (issue 4): a cashier sends one to the member's
// phone when the card cannot be scanned. A table of their own, not otp_codes, so a sign-in code and
// a presence code can never stand in for each other. Bound to the member and the store it was sent
// for (null: a caller without a store); the code is stored as an HMAC under the server key.
const up_statements = [
  `create table presence_codes (
     tenant_id uuid not null references tenants (id),
     id uuid not null,
     member_id uuid not null,
     store_id uuid,
     code_hash bytea not null,
     attempts int not null default 0 check (attempts >= 0),
     expires_at timestamptz not null,
     consumed_at timestamptz,
     created_at timestamptz not null default now(),
     primary key (tenant_id, id),
     foreign key (tenant_id, member_id) references members (tenant_id, id),
     foreign key (tenant_id, store_id) references stores (tenant_id, id)
   )`,
  `create index presence_codes_member on presence_codes (tenant_id, member_id, created_at desc)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('drop table if exists presence_codes').execute(db);
}
