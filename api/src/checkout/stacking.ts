/**
 * The stacking order of promotions and vouchers (promotion-engine.ts, whose header is the full
 * specification), for the OpenAPI descriptions of /checkout/evaluate and /transactions.
 */
export const STACKING_ORDER = `
**How promotions and vouchers stack** (the same for \`POST /api/v1/checkout/evaluate\` and \`POST /api/v1/transactions\`):

1. *Who takes part.* A promotion takes part when it is active, live at the sale's time, every condition holds and it
   gives this cart something (a discount above 0, or bonus points to a member). A voucher code takes part unless it is
   refused, with the first reason that applies: \`unknown\`, \`not_started\`, \`expired\` (a voucher must be valid both at
   the sale's \`occurredAt\` and now), \`wrong_channel\`, \`wrong_store\`, \`not_eligible\` (also: it gives this cart
   nothing), \`used_up\` (also: this member's own limit is used up), \`min_spend\` (the goods subtotal, inclusive). The same
   voucher typed twice is \`not_combinable\` the second time.
2. *Ranking and exclusivity.* Candidates are ranked: higher \`priority\` first, then the larger discount for this cart on
   its own, then promotions before vouchers, then the lower id. In that order each is accepted unless one accepted
   before it holds one of its groups: its \`exclusivityGroup\`, and for free shipping the built-in shipping group (at
   most one shipping discount per order). Amount and percent vouchers without a group of their own share the group
   \`voucher_discount\`: one discount voucher per order unless their batches name distinct groups. A tier with free
   shipping outranks every other free shipping. A voucher that loses is \`not_combinable\`; a promotion is left out.
3. *Goods discounts, one after another*, in application order: higher \`priority\` first, then promotions before
   vouchers, then the lower id — never the order the codes were typed in. Each works on the goods the ones before it
   left: a percent takes that percent of what is left (100: all of it), an amount at most what is left, a free item
   one unit of the cheapest line of its sku; each at most its \`maxDiscount\`. When nothing is left, a voucher is
   \`not_combinable\` (and not used); a promotion is left out.
4. *Shipping.* The one free-shipping effect waives the fee, at most its \`maxDiscount\`; goods discounts never touch
   shipping, and shipping never counts towards a minimum spend.
5. *Points.* Bonus-points promotions add their points once per sale and multipliers add base × (multiplier − 1),
   stacking additively. Points are earned on what is paid for the goods: after discounts, without shipping and without
   the part paid with points.
6. *Rounding.* Every discount is rounded down to whole rupiah, with these exceptions, which take all that is left to the
   sen so that free is free: 100% off or an amount larger than the goods left (all the goods), a free item (its unit, or
   what is left of its line), free shipping without a cap below the fee (the whole fee). No discount makes a total
   negative: discounts never exceed the goods, nor the shipping discount the fee.`;
