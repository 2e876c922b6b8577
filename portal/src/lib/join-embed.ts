// The HTML a retailer pastes into their website to show the join form: the framed form (`?embed=1`)
// and a small script that fits the frame to the form. The form posts
// `{type: 'kartu:join:height', height}` to its parent whenever its height changes
// (member-app/src/lib/JoinForm.svelte); the script takes that message only from the Kartu origin
// and only from its own frame. Without scripts (a site builder that strips them) the frame keeps its
// fixed height and scrolls. Pure so the browser test can build the same snippet it checks.

export interface JoinEmbed {
  /** The join page's absolute address as members reach it (the API's `joinUrl`). */
  joinUrl: string;
  /** A campaign tag, counted for members who join through this embed. */
  tag?: string;
  /** The frame's title, read out by screen readers ("Join Toko Demo"). */
  title: string;
}

/** The frame's height before the form reports its own, and the bounds a reported height is kept in. */
export const EMBED_HEIGHT = { initial: 720, min: 200, max: 4000 } as const;

const attribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A string literal safe inside an inline <script> (no "</script>" or "<!--" can form). */
const scriptString = (text: string) => JSON.stringify(text).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');

/** The framed page's address: the join page with `embed=1` and the tag. */
export function embedSource({ joinUrl, tag }: Pick<JoinEmbed, 'joinUrl' | 'tag'>): string {
  const url = new URL(joinUrl);
  url.searchParams.set('embed', '1');
  if (tag) url.searchParams.set('tag', tag);
  return url.toString();
}

/** The id of the frame the script looks for: one per tag, so two embeds on one page each size their own. */
export function embedFrameId(tag?: string): string {
  return `kartu-join${tag ? `-${tag}` : ''}`;
}

export function embedSnippet(embed: JoinEmbed): string {
  const src = embedSource(embed);
  const origin = new URL(embed.joinUrl).origin;
  const id = embedFrameId(embed.tag);
  const { initial, min, max } = EMBED_HEIGHT;
  return [
    `<iframe id="${attribute(id)}" src="${attribute(src)}" title="${attribute(embed.title)}" width="100%" height="${initial}" style="display:block;border:0;width:100%;max-width:28rem" loading="lazy"></iframe>`,
    `<script>`,
    `(function () {`,
    `  var frame = document.getElementById(${scriptString(id)});`,
    `  window.addEventListener('message', function (event) {`,
    `    if (!frame || event.origin !== ${scriptString(origin)} || event.source !== frame.contentWindow) return;`,
    `    var data = event.data;`,
    `    if (!data || data.type !== 'kartu:join:height' || typeof data.height !== 'number' || !isFinite(data.height)) return;`,
    `    frame.style.height = Math.min(${max}, Math.max(${min}, Math.ceil(data.height))) + 'px';`,
    `  });`,
    `})();`,
    `</script>`,
  ].join('\n');
}
