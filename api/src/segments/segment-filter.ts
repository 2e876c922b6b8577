import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../deps.ts';
import type { SegmentCondition, SegmentRules } from './segment-rules.ts';

// Segment rules compiled to one SQL predicate over `members as m`: EXISTS and correlated aggregate
// subqueries, each filtered by the tenant, so that membership is always evaluated in the database.
// Every condition is made two-valued (coalesce … false) before `negate`, so that a negated
// condition is exactly the complement (a member without a birth date is outside `birthday_month`
// and inside its negation).

export interface SegmentScope {
  tenantId: string;
  /** Windows (`withinDays`) end here. */
  now: Date;
}

/** The rules as a boolean SQL expression over the alias `m` (members); merged members never match. */
export function segmentFilter(rules: SegmentRules, scope: SegmentScope): RawBuilder<SqlBool> {
  const parts = rules.conditions.map((condition) => {
    const test = sql`coalesce((${conditionSql(condition, scope)}), false)`;
    return condition.negate ? sql`(not ${test})` : test;
  });
  const combined = parts.length === 0 ? sql`true` : sql.join(parts, rules.match === 'all' ? sql` and ` : sql` or `);
  return sql<SqlBool>`(m.status not in ('merged', 'erased') and (${combined}))`;
}

/** The tenant's members in the segment: a query to select from (offers and automations add their own columns). */
export function membersInSegment(db: Db, tenantId: string, rules: SegmentRules, now: Date) {
  return db.selectFrom('members as m').where('m.tenant_id', '=', tenantId).where(segmentFilter(rules, { tenantId, now }));
}

const ago = (scope: SegmentScope, days: number) => sql`(${scope.now}::timestamptz - make_interval(days => ${days}))`;

const list = (values: readonly (string | number)[]) => sql.join(values.map((value) => sql`${value}`));

/** The member's posted sales up to now (alias t), optionally within the last `days`. */
function postedSales(scope: SegmentScope, withinDays: number | undefined) {
  const since = withinDays === undefined ? sql`` : sql` and t.occurred_at >= ${ago(scope, withinDays)}`;
  return sql`transactions t
    where t.tenant_id = ${scope.tenantId} and t.member_id = m.id and t.status = 'posted' and t.occurred_at <= ${scope.now}::timestamptz${since}`;
}

/** `value` (a column of the one-row subquery x) within the inclusive bounds given. */
function within(bounds: { min?: number; max?: number }) {
  const tests = [sql`true`];
  if (bounds.min !== undefined) tests.push(sql`x.value >= ${bounds.min}`);
  if (bounds.max !== undefined) tests.push(sql`x.value <= ${bounds.max}`);
  return sql.join(tests, sql` and `);
}

function scoreTests(column: 'r' | 'f' | 'm', range: { min?: number; max?: number } | undefined) {
  const tests = [];
  if (range?.min !== undefined) tests.push(sql`${sql.ref(`s.${column}`)} >= ${range.min}`);
  if (range?.max !== undefined) tests.push(sql`${sql.ref(`s.${column}`)} <= ${range.max}`);
  return tests;
}

function conditionSql(c: SegmentCondition, scope: SegmentScope) {
  const { tenantId } = scope;
  switch (c.type) {
    case 'tier':
      return sql`exists (select 1 from tiers tr where tr.tenant_id = ${tenantId} and tr.id = m.tier_id and tr.code in (${list(c.tiers)}))`;
    case 'lifecycle':
      return sql`m.lifecycle_stage in (${list(c.stages)})`;
    case 'rfm': {
      const tests = [...scoreTests('r', c.r), ...scoreTests('f', c.f), ...scoreTests('m', c.m)];
      return sql`exists (select 1 from member_rfm s where s.tenant_id = ${tenantId} and s.member_id = m.id and ${sql.join(tests, sql` and `)})`;
    }
    case 'spend':
      return sql`(select ${within(c)} from (select coalesce(sum(t.subtotal - t.discount - t.refunded_amount), 0) as value
        from ${postedSales(scope, c.withinDays)}) x)`;
    case 'visits':
      return sql`(select ${within(c)} from (select count(*) as value from ${postedSales(scope, c.withinDays)}) x)`;
    case 'days_since_purchase': {
      // Whole days d = floor((now − last) / 1 day): d >= min ⇔ last <= now − min days; d <= max ⇔ last > now − (max + 1) days.
      const tests = [sql`m.last_purchase_at is not null`];
      if (c.min !== undefined) tests.push(sql`m.last_purchase_at <= ${ago(scope, c.min)}`);
      if (c.max !== undefined) tests.push(sql`m.last_purchase_at > ${ago(scope, c.max + 1)}`);
      return sql.join(tests, sql` and `);
    }
    case 'bought': {
      const lineTests = [];
      if (c.skus) lineTests.push(sql`l.sku in (${list(c.skus)})`);
      if (c.categories) lineTests.push(sql`l.category in (${list(c.categories)})`);
      return sql`exists (select 1 from ${postedSales(scope, c.withinDays)}
        and exists (select 1 from transaction_lines l
          where l.tenant_id = ${tenantId} and l.transaction_id = t.id and l.refunded_quantity < l.quantity
            and (${sql.join(lineTests, sql` or `)})))`;
    }
    case 'store':
      return sql`exists (select 1 from ${postedSales(scope, c.withinDays)} and t.store_id in (${list(c.stores)}))`;
    case 'birthday_month':
      return sql`extract(month from m.birth_date)::int in (${list(c.months)})`;
    case 'tags': {
      const tests = [];
      if (c.any) tests.push(sql`m.tags && array[${list(c.any)}]::text[]`);
      if (c.all) tests.push(sql`m.tags @> array[${list(c.all)}]::text[]`);
      return sql.join(tests, sql` and `);
    }
    case 'consent':
      return c.marketing ? sql`m.marketing_opt_in` : sql`not m.marketing_opt_in`;
    case 'joined':
      return sql`m.created_at >= ${ago(scope, c.withinDays)} and m.created_at <= ${scope.now}::timestamptz`;
  }
}
