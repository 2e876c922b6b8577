import { z } from 'zod';

// The public sign-up form's and the shop-window poster's texts, in both languages, kept on the
// tenant as JSON. What a marketer leaves empty falls back to a default built from the retailer's
// name, so a new retailer's form and poster read well before anyone edits them.

const Text = (max: number) => z.string().trim().max(max, `At most ${max} characters`);
const Bilingual = (max: number) => z.strictObject({ id: Text(max), en: Text(max) });

export const SignupFormSchema = z
  .strictObject({
    headline: Bilingual(120).meta({ description: 'The form’s title' }),
    intro: Bilingual(600).meta({ description: 'A line or two under the title: what members get' }),
    askEmail: z.boolean('Must be true or false'),
    askBirthDate: z.boolean('Must be true or false').meta({ description: 'Birthdays drive birthday rewards' }),
    consentText: Bilingual(600).meta({ description: 'The marketing consent checkbox’s label' }),
    posterHeadline: Bilingual(80),
    posterText: Bilingual(300),
  })
  .meta({ id: 'SignupForm' });

export type SignupForm = z.infer<typeof SignupFormSchema>;

export function defaultSignupForm(retailer: string, welcomePoints: number): SignupForm {
  const bonusId = welcomePoints > 0 ? ` Dapatkan ${welcomePoints.toLocaleString('id-ID')} poin selamat datang.` : '';
  const bonusEn = welcomePoints > 0 ? ` Get ${welcomePoints.toLocaleString('en-US')} welcome points.` : '';
  return {
    headline: { id: `Gabung member ${retailer}`, en: `Join ${retailer} rewards` },
    intro: {
      id: `Kumpulkan poin setiap belanja, tukar dengan hadiah dan voucher.${bonusId}`,
      en: `Collect points every time you shop and trade them for rewards and vouchers.${bonusEn}`,
    },
    askEmail: true,
    askBirthDate: true,
    consentText: {
      id: `Saya mau menerima promo dan info dari ${retailer} lewat SMS, WhatsApp atau email.`,
      en: `I’d like promotions and news from ${retailer} by SMS, WhatsApp or email.`,
    },
    posterHeadline: { id: 'Jadi member, gratis!', en: 'Become a member, free!' },
    posterText: {
      id: `Pindai kode QR dengan kamera ponsel untuk daftar.${bonusId}`,
      en: `Scan the QR code with your phone’s camera to join.${bonusEn}`,
    },
  };
}

/** The stored form over the defaults, field by field; a blank text means the default. */
export function signupFormOf(stored: Record<string, unknown>, retailer: string, welcomePoints: number): SignupForm {
  const defaults = defaultSignupForm(retailer, welcomePoints);
  const parsed = SignupFormSchema.partial().safeParse(stored);
  const saved: Partial<SignupForm> = parsed.success ? parsed.data : {};
  const text = (key: 'headline' | 'intro' | 'consentText' | 'posterHeadline' | 'posterText') => ({
    id: saved[key]?.id || defaults[key].id,
    en: saved[key]?.en || defaults[key].en,
  });
  return {
    headline: text('headline'),
    intro: text('intro'),
    askEmail: saved.askEmail ?? defaults.askEmail,
    askBirthDate: saved.askBirthDate ?? defaults.askBirthDate,
    consentText: text('consentText'),
    posterHeadline: text('posterHeadline'),
    posterText: text('posterText'),
  };
}

/** A campaign tag as it may appear in a link: letters, digits, hyphens and underscores. */
export const CampaignTag = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'Letters, digits, hyphens and underscores, up to 64')
  .meta({ description: 'A campaign tag: members who join through a link with it are counted for it' });
