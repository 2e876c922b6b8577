// Extends zod with .openapi() before any schema is made, as app.ts does.
import '../../api/src/http/zod-openapi.ts';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RuleConditionsSchema, RuleEffectSchema } from '../../api/src/earning/rule-schema.ts';

const STORE = '0190a5e4-7c3b-7d2e-9f10-1234567890ab';

/** The issues of a failed parse as `path: message`, or [] when it passes. */
function issues(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('RuleConditionsSchema', () => {
  it('accepts no conditions, and every condition at once', () => {
    expect(issues(RuleConditionsSchema, {})).toEqual([]);
    const all = {
      startsAt: '2026-12-01T00:00:00+07:00',
      endsAt: '2026-12-31T23:59:59+07:00',
      daysOfWeek: [6, 7],
      hours: { from: '22:00', to: '02:00' },
      stores: [STORE],
      channels: ['store', 'online'],
      tiers: ['gold'],
      minSpend: 10_000_000,
      skus: ['KOPI-1'],
      categories: ['drink'],
    };
    expect(RuleConditionsSchema.parse(all)).toEqual(all);
  });

  it('wants HH:MM hours between 00:00 and 23:59, and from ≠ to', () => {
    expect(issues(RuleConditionsSchema, { hours: { from: '9:00', to: '14:00' } })).toEqual(['hours.from: Must be HH:MM between 00:00 and 23:59']);
    expect(issues(RuleConditionsSchema, { hours: { from: '10:00', to: '24:00' } })).toEqual(['hours.to: Must be HH:MM between 00:00 and 23:59']);
    expect(issues(RuleConditionsSchema, { hours: { from: '10:00', to: '10:00' } })).toEqual(['hours.to: from and to must differ (leave hours out for all day)']);
    expect(issues(RuleConditionsSchema, { hours: { from: '23:00', to: '00:00' } })).toEqual([]);
  });

  it('wants days 1–7, whole and unique, and at least one', () => {
    expect(issues(RuleConditionsSchema, { daysOfWeek: [0] })).toEqual(['daysOfWeek.0: Days run from 1 (Monday) to 7 (Sunday)']);
    expect(issues(RuleConditionsSchema, { daysOfWeek: [8] })).toEqual(['daysOfWeek.0: Days run from 1 (Monday) to 7 (Sunday)']);
    expect(issues(RuleConditionsSchema, { daysOfWeek: [1.5] })).toEqual(['daysOfWeek.0: Days are whole numbers']);
    expect(issues(RuleConditionsSchema, { daysOfWeek: [6, 6] })).toEqual(['daysOfWeek: Each day may appear only once']);
    expect(issues(RuleConditionsSchema, { daysOfWeek: [] })).toEqual(['daysOfWeek: List at least one day, or leave the condition out']);
  });

  it('wants instants with a zone, and endsAt not before startsAt', () => {
    expect(issues(RuleConditionsSchema, { startsAt: '2026-12-01T00:00:00' })).toEqual([
      'startsAt: Must be an ISO 8601 instant with a time zone, e.g. 2026-12-31T23:59:59+07:00',
    ]);
    expect(issues(RuleConditionsSchema, { startsAt: '2026-12-01T00:00:00Z' })).toEqual([]);
    // 00:00 WITA on 1 December is 23:00 WIB on 30 November: an end at 22:59:59 WIB is before it, one at 23:00 WIB is the same instant.
    expect(issues(RuleConditionsSchema, { startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2026-11-30T22:59:59+07:00' })).toEqual(['endsAt: Must not be before startsAt']);
    expect(issues(RuleConditionsSchema, { startsAt: '2026-12-01T00:00:00+08:00', endsAt: '2026-11-30T23:00:00+07:00' })).toEqual([]);
  });

  it('rejects empty lists, duplicates, unknown channels and non-ids for stores', () => {
    expect(issues(RuleConditionsSchema, { stores: [] })).toEqual(['stores: List at least one store, or leave the condition out']);
    expect(issues(RuleConditionsSchema, { stores: ['store-a'] })).toEqual(['stores.0: Must be a store id']);
    expect(issues(RuleConditionsSchema, { channels: ['shop'] })).toEqual(['channels.0: Must be store or online']);
    expect(issues(RuleConditionsSchema, { skus: ['A', 'A'] })).toEqual(['skus: Each sku may appear only once']);
    expect(issues(RuleConditionsSchema, { categories: [''] })).toEqual(['categories.0: Must not be empty']);
  });

  it('wants minSpend in whole, non-negative minor units', () => {
    expect(issues(RuleConditionsSchema, { minSpend: -1 })).toEqual(['minSpend: Must not be negative']);
    expect(issues(RuleConditionsSchema, { minSpend: 10.5 })).toEqual(['minSpend: Must be whole minor units']);
  });

  it('rejects unknown keys, so a misspelt condition cannot silently widen a campaign', () => {
    expect(issues(RuleConditionsSchema, { dayOfWeek: [6] })).toHaveLength(1);
  });
});

describe('RuleEffectSchema', () => {
  it('accepts each kind', () => {
    for (const effect of [
      { type: 'base', spendPerPoint: 1_000_000, rounding: 'floor' },
      { type: 'multiplier', multiplier: 1.15 },
      { type: 'multiplier', multiplier: 10 },
      { type: 'bonus', points: 50, per: 'unit' },
      { type: 'first_purchase', points: 100 },
      { type: 'cap', maxPerTransaction: 500 },
      { type: 'cap', maxPerMemberPerDay: 1000 },
      { type: 'cap', maxPerTransaction: 500, maxPerMemberPerDay: 1000 },
    ]) {
      expect(RuleEffectSchema.parse(effect)).toEqual(effect);
    }
  });

  it('wants spendPerPoint ≥ 1 whole minor unit and a known rounding', () => {
    expect(issues(RuleEffectSchema, { type: 'base', spendPerPoint: 0, rounding: 'floor' })).toEqual(['spendPerPoint: Must be at least 1 minor unit']);
    expect(issues(RuleEffectSchema, { type: 'base', spendPerPoint: 2.5, rounding: 'floor' })).toEqual(['spendPerPoint: Must be whole minor units']);
    expect(issues(RuleEffectSchema, { type: 'base', spendPerPoint: 100, rounding: 'bankers' })).toEqual(['rounding: Must be floor, round or ceil']);
  });

  it('wants a multiplier above 1, at most 10, with at most two decimals', () => {
    expect(issues(RuleEffectSchema, { type: 'multiplier', multiplier: 1 })).toEqual(['multiplier: Must be more than 1']);
    expect(issues(RuleEffectSchema, { type: 'multiplier', multiplier: 10.01 })).toEqual(['multiplier: Must be at most 10']);
    expect(issues(RuleEffectSchema, { type: 'multiplier', multiplier: 1.125 })).toEqual(['multiplier: At most two decimals (e.g. 1.25)']);
  });

  it('wants whole, positive bonus points and a known per', () => {
    expect(issues(RuleEffectSchema, { type: 'bonus', points: 0, per: 'line' })).toEqual(['points: Must be at least 1 point']);
    expect(issues(RuleEffectSchema, { type: 'bonus', points: 5, per: 'item' })).toEqual(['per: Must be transaction, line or unit']);
    expect(issues(RuleEffectSchema, { type: 'first_purchase', points: 2.5 })).toEqual(['points: Points are whole numbers']);
  });

  it('wants a cap to have at least one limit', () => {
    expect(issues(RuleEffectSchema, { type: 'cap' })).toEqual(['maxPerTransaction: Give maxPerTransaction, maxPerMemberPerDay or both']);
    expect(issues(RuleEffectSchema, { type: 'cap', maxPerTransaction: -1 })).toEqual(['maxPerTransaction: Must not be negative']);
  });

  it('names the kinds when the type is unknown, and rejects keys of another kind', () => {
    expect(issues(RuleEffectSchema, { type: 'cashback', points: 5 })).toEqual(['type: type must be base, multiplier, bonus, first_purchase or cap']);
    expect(issues(RuleEffectSchema, { type: 'first_purchase', points: 5, per: 'line' })).toHaveLength(1);
  });
});

describe('OpenAPI', () => {
  it('documents both schemas as named components of a request body', () => {
    expect(z.globalRegistry.get(RuleConditionsSchema)?.id).toBe('EarningRuleConditions');
    expect(z.globalRegistry.get(RuleEffectSchema)?.id).toBe('EarningRuleEffect');
    const registry = new OpenAPIRegistry();
    registry.registerPath({
      method: 'post',
      path: '/rules',
      request: { body: { content: { 'application/json': { schema: z.object({ conditions: RuleConditionsSchema, effect: RuleEffectSchema }) } } } },
      responses: { 204: { description: 'ok' } },
    });
    const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining(['EarningRuleConditions', 'EarningRuleEffect']));
    expect(JSON.stringify(schemas.EarningRuleEffect)).toContain('first_purchase');
  });
});
