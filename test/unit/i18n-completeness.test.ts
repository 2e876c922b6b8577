import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../api/src/config.ts';
import { FeedbackKindSchema, FeedbackStatusSchema } from '../../api/src/feedback/feedback.mapper.ts';
import { PointEntrySchema } from '../../api/src/ledger/points.mapper.ts';
import { VoucherKindSchema, VoucherStatusSchema } from '../../api/src/vouchers/vouchers.mapper.ts';

// Both languages complete: the dictionaries are read from their sources (the `.svelte.ts` modules
// need Svelte's compiler to run), every key in both with a non-empty text and the same {placeholders},
// and every key the screens ask for present — also the ones built at run time from a prefix.

type Dictionary = Map<string, string>;

/** The object literal bound to `name` in `file`, spreads of imported dictionaries included. */
function readDictionary(file: string, name: string): Dictionary {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let literal: ts.ObjectLiteralExpression | undefined;
  const imports = new Map<string, string>();
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) imports.set(element.name.text, statement.moduleSpecifier.text);
      }
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        let value = declaration.initializer;
        while (value && (ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isParenthesizedExpression(value))) value = value.expression;
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name && value && ts.isObjectLiteralExpression(value)) literal = value;
      }
    }
  }
  if (!literal) throw new Error(`${relative(repoRoot, file)} has no object literal ${name}`);

  const dictionary: Dictionary = new Map();
  for (const property of literal.properties) {
    if (ts.isSpreadAssignment(property) && ts.isIdentifier(property.expression)) {
      const module = imports.get(property.expression.text);
      if (!module?.startsWith('.')) throw new Error(`${relative(repoRoot, file)}: cannot follow the spread of ${property.expression.text}`);
      const target = resolve(dirname(file), module.endsWith('.ts') ? module : `${module}.ts`);
      for (const [key, text] of readDictionary(target, property.expression.text)) dictionary.set(key, text);
    } else if (ts.isPropertyAssignment(property) && (ts.isStringLiteral(property.name) || ts.isIdentifier(property.name))) {
      const value = property.initializer;
      if (!ts.isStringLiteral(value) && !ts.isNoSubstitutionTemplateLiteral(value)) {
        throw new Error(`${relative(repoRoot, file)}: ${property.name.text} is not a plain string`);
      }
      dictionary.set(property.name.text, value.text);
    } else {
      throw new Error(`${relative(repoRoot, file)}: cannot read ${property.getText(source).slice(0, 60)}`);
    }
  }
  return dictionary;
}

const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]))].sort();

/** Which keys are missing, empty, or whose placeholders differ between the two languages. */
function gaps(en: Dictionary, id: Dictionary): string[] {
  const problems: string[] = [];
  for (const key of new Set([...en.keys(), ...id.keys()])) {
    const [english, indonesian] = [en.get(key), id.get(key)];
    if (english === undefined) problems.push(`${key}: no English text`);
    else if (indonesian === undefined) problems.push(`${key}: no Indonesian text`);
    else if (!english.trim() || !indonesian.trim()) problems.push(`${key}: empty text`);
    else if (placeholders(english).join() !== placeholders(indonesian).join()) {
      problems.push(`${key}: placeholders {${placeholders(english).join('}, {')}} in English but {${placeholders(indonesian).join('}, {')}} in Indonesian`);
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(svelte|ts)$/.test(entry) ? [path] : [];
  });
}

interface Usage {
  /** Keys written out whole: `t('members.title')`. */
  keys: Map<string, string>;
  /** The fixed start of keys built at run time: `t(\`kind.${entry.kind}\`)` gives `kind.`. */
  prefixes: Map<string, string>;
  /** `tEnum('stage', value)` prefixes. */
  enums: Map<string, string>;
}

/** What the sources of an app ask `fn` for (the value is where, for the failure message). */
function usage(dir: string, fn: string): Usage {
  const found: Usage = { keys: new Map(), prefixes: new Map(), enums: new Map() };
  const call = new RegExp(`(?<![\\w.$])${fn}\\(\\s*(?:'([^']*)'|"([^"]*)"|\`([^\`]*)\`)`, 'g');
  const enumCall = /(?<![\w.$])tEnum\(\s*'([^']+)'/g;
  for (const file of sourceFiles(dir)) {
    const text = readFileSync(file, 'utf8');
    const at = relative(repoRoot, file);
    for (const match of text.matchAll(call)) {
      const template = match[3];
      if (template?.includes('${')) found.prefixes.set(template.slice(0, template.indexOf('${')), at);
      else found.keys.set(match[1] ?? match[2] ?? template, at);
    }
    if (fn === 't') for (const match of text.matchAll(enumCall)) found.enums.set(match[1], at);
  }
  return found;
}

/** The values the API sends for the enums the screens translate with a prefix: its schemas where they are exported, else API.md. */
const apiEnums: Record<string, readonly string[]> = {
  kind: PointEntrySchema.shape.kind.options,
  stage: ['prospect', 'new', 'active', 'at_risk', 'lapsed', 'won_back'],
  voucherReason: ['unknown', 'expired', 'not_started', 'min_spend', 'used_up', 'not_eligible', 'wrong_channel', 'wrong_store', 'not_combinable'],
  role: ['owner', 'admin', 'marketer', 'cashier'],
  cardStatus: ['active', 'blocked', 'replaced'],
  'card.reason': ['lost', 'damaged'],
  lotStatus: ['posted', 'pending'],
  bucket: ['balance', 'pending', 'debt'],
  saleChannel: ['store', 'online'],
  fulfilment: ['voucher', 'physical'],
  voucherKind: VoucherKindSchema.options,
  voucherStatus: VoucherStatusSchema.options,
  feedbackKind: FeedbackKindSchema.options,
  feedbackStatus: FeedbackStatusSchema.options,
  offerKind: ['cross_sell', 'up_sell'],
  offerStatus: ['active', 'paused', 'archived'],
  referralStatus: ['pending', 'rewarded', 'refused'],
  referralReason: ['self_referral', 'phone_already_rewarded', 'referrer_monthly_cap', 'referrer_inactive', 'duplicate_member', 'member_erased'],
  rounding: ['floor', 'round', 'ceil'],
  per: ['transaction', 'line', 'unit'],
  expiryPolicy: ['never', 'months', 'end_of_period'],
  period: ['month', 'quarter', 'year'],
  basis: ['spend', 'points'],
  ruleStatus: ['active', 'paused'],
  segmentStatus: ['active', 'archived'],
  rewardStatus: ['active', 'archived'],
};

/** Keys assembled in code (a cast to MessageKey, so the type check cannot see them): prefix → the endings used. */
const builtKeys: Record<string, readonly string[]> = {
  'rfmMeaning.r.': ['1', '2', '3', '4', '5'],
  'rfmMeaning.f.': ['1', '2', '3', '4', '5'],
  'rfmMeaning.m.': ['1', '2', '3', '4', '5'],
  'segmentHelp.': ['birthday_month', 'bought', 'consent', 'days_since_purchase', 'joined', 'lifecycle', 'rfm', 'spend', 'store', 'tags', 'tier', 'visits'],
};

/** `say('tier', …)` in the segment describer reads `segmentWords.tier`, or `segmentWords.not.tier` for a negated condition. */
function segmentWordsUsed(): string[] {
  const text = readFileSync(join(repoRoot, 'portal/src/lib/segments/describe.ts'), 'utf8');
  return [...text.matchAll(/\bsay\('([\w.]+)'/g)].flatMap((match) => [`segmentWords.${match[1]}`, `segmentWords.not.${match[1]}`]);
}

function missingFrom(dictionary: Dictionary, used: Usage): string[] {
  const problems: string[] = [];
  for (const [key, at] of used.keys) if (!dictionary.has(key)) problems.push(`${key} (used in ${at})`);
  for (const [prefix, at] of used.prefixes) {
    if (![...dictionary.keys()].some((key) => key.startsWith(prefix))) problems.push(`${prefix}* (built in ${at})`);
  }
  for (const [prefix, at] of used.enums) {
    if (![...dictionary.keys()].some((key) => key.startsWith(`${prefix}.`))) problems.push(`${prefix}.* (tEnum in ${at})`);
    for (const value of apiEnums[prefix] ?? []) if (!dictionary.has(`${prefix}.${value}`)) problems.push(`${prefix}.${value} (tEnum in ${at})`);
  }
  return problems;
}

describe('the check itself', () => {
  it('finds a missing key, an empty text, differing placeholders and a key the code uses but no dictionary has', () => {
    const en: Dictionary = new Map([['a', 'A {n}'], ['b', 'B'], ['c', 'C {name}'], ['d', 'D']]);
    const id: Dictionary = new Map([['a', 'A {n}'], ['b', ' '], ['c', 'C {nama}']]);
    expect(gaps(en, id)).toEqual(['b: empty text', 'c: placeholders {name} in English but {nama} in Indonesian', 'd: no Indonesian text']);
    const used: Usage = { keys: new Map([['e', 'x.svelte']]), prefixes: new Map([['f.', 'y.svelte']]), enums: new Map([['role', 'z.svelte']]) };
    expect(missingFrom(en, used)).toEqual(['e (used in x.svelte)', 'f.* (built in y.svelte)', 'role.* (tEnum in z.svelte)', ...apiEnums.role.map((role) => `role.${role} (tEnum in z.svelte)`)]);
  });
});

const portal = join(repoRoot, 'portal/src');
const app = join(repoRoot, 'member-app/src');

describe('portal texts', () => {
  const file = join(portal, 'lib/i18n.svelte.ts');
  const en = readDictionary(file, 'en');
  const id = readDictionary(file, 'id');

  it('has every key in Bahasa Indonesia and English, non-empty, with the same placeholders', () => {
    expect(en.size).toBeGreaterThan(1000);
    expect(gaps(en, id)).toEqual([]);
  });

  it('has every key the screens use, including those built from a prefix', () => {
    const used = usage(portal, 't');
    expect(used.keys.size).toBeGreaterThan(500);
    expect(used.enums.size).toBeGreaterThan(20);
    expect(missingFrom(en, used)).toEqual([]);
    for (const [prefix, endings] of Object.entries(builtKeys)) {
      expect(endings.filter((ending) => !en.has(prefix + ending)).map((ending) => prefix + ending)).toEqual([]);
    }
    const said = segmentWordsUsed();
    expect(said.length).toBeGreaterThan(10);
    expect(said.filter((key) => !en.has(key))).toEqual([]);
  });

  it('every API enum the screens translate has a text for each value', () => {
    const missing = Object.entries(apiEnums).flatMap(([prefix, values]) => values.filter((value) => !en.has(`${prefix}.${value}`)).map((value) => `${prefix}.${value}`));
    expect(missing).toEqual([]);
  });
});

describe('member app texts', () => {
  const main = join(app, 'lib/i18n.svelte.ts');
  const feedback = join(app, 'lib/i18n-feedback.ts');

  it('has every key in Bahasa Indonesia and English, non-empty, with the same placeholders', () => {
    expect(gaps(readDictionary(main, 'en'), readDictionary(main, 'id'))).toEqual([]);
    expect(gaps(readDictionary(feedback, 'en'), readDictionary(feedback, 'id'))).toEqual([]);
  });

  it('has every key the screens use, including those built from a prefix', () => {
    const used = usage(app, 't');
    expect(used.keys.size).toBeGreaterThan(100);
    expect(missingFrom(readDictionary(main, 'en'), used)).toEqual([]);
    const kinds = apiEnums.kind.filter((kind) => !readDictionary(main, 'en').has(`kind.${kind}`));
    expect(kinds).toEqual([]);
    expect(missingFrom(readDictionary(feedback, 'en'), usage(app, 'tf'))).toEqual([]);
  });
});

describe('problem texts shared by both apps', () => {
  it('say each problem in both languages with the same placeholders', () => {
    const file = join(repoRoot, 'api/client/problems.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const en: Dictionary = new Map();
    const id: Dictionary = new Map();
    const visit = (node: ts.Node) => {
      if (ts.isPropertyAssignment(node) && ts.isObjectLiteralExpression(node.initializer) && ts.isIdentifier(node.name)) {
        for (const inner of node.initializer.properties) {
          if (ts.isPropertyAssignment(inner) && ts.isIdentifier(inner.name) && ts.isStringLiteral(inner.initializer)) {
            (inner.name.text === 'en' ? en : id).set(node.name.text, inner.initializer.text);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(en.size).toBeGreaterThan(10);
    expect(gaps(en, id)).toEqual([]);
  });
});
