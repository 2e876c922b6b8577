import { describe, expect, it } from 'vitest';
import { embedFrameId, embedSnippet, embedSource, EMBED_HEIGHT } from '../../portal/src/lib/join-embed.ts';

// The join form's embed code (the portal's sign-up settings): the frame at the API's join address
// and the script that fits it to the form's height, taking messages only from Kartu's origin and
// its own frame. member-join.test.ts runs the portal's snippet on a page in Chromium.

describe('join form embed code', () => {
  const joinUrl = 'https://loyalty.toko.co.id/app/toko-demo/join';

  it('frames the join page with embed=1 and the tag, and names the frame', () => {
    expect(embedSource({ joinUrl })).toBe(`${joinUrl}?embed=1`);
    expect(embedSource({ joinUrl, tag: 'website' })).toBe(`${joinUrl}?embed=1&tag=website`);
    const html = embedSnippet({ joinUrl, tag: 'website', title: 'Daftar member Toko Demo' });
    expect(html).toMatch(/^<iframe id="kartu-join-website" src="https:\/\/loyalty\.toko\.co\.id\/app\/toko-demo\/join\?embed=1&amp;tag=website" title="Daftar member Toko Demo"/);
    expect(html).toContain(`height="${EMBED_HEIGHT.initial}"`);
    expect(embedFrameId()).toBe('kartu-join');
  });

  it('takes the height only from the Kartu origin and from its own frame, within bounds', () => {
    const html = embedSnippet({ joinUrl, title: 'Join' });
    expect(html).toContain('event.origin !== "https://loyalty.toko.co.id"');
    expect(html).toContain('event.source !== frame.contentWindow');
    expect(html).toContain("data.type !== 'kartu:join:height'");
    expect(html).toContain(`Math.min(${EMBED_HEIGHT.max}, Math.max(${EMBED_HEIGHT.min}, Math.ceil(data.height)))`);
    expect(html.trimEnd().endsWith('</script>')).toBe(true);
  });

  it('escapes what it puts into attributes and the script', () => {
    const html = embedSnippet({ joinUrl, title: 'Join "Kopi & Roti" <Toko>' });
    expect(html).toContain('title="Join &quot;Kopi &amp; Roti&quot; &lt;Toko&gt;"');
    // An origin cannot close the script early.
    const odd = embedSnippet({ joinUrl: 'http://a.example:8080/app/x/join', title: 'x' });
    expect(odd).toContain('"http://a.example:8080"');
    expect(odd.match(/<\/script>/g)).toHaveLength(1);
  });

  it('runs: sets the frame height from a Kartu message, ignores others', () => {
    const html = embedSnippet({ joinUrl, title: 'Join' });
    const script = /<script>([\s\S]*)<\/script>/.exec(html)![1];
    const contentWindow = {};
    const frame = { contentWindow, style: { height: '' } };
    let listener: ((event: unknown) => void) | undefined;
    const window = { addEventListener: (_type: string, fn: (event: unknown) => void) => (listener = fn) };
    const document = { getElementById: (id: string) => (id === 'kartu-join' ? frame : null) };
    new Function('window', 'document', script)(window, document);
    listener!({ origin: 'https://evil.example', source: contentWindow, data: { type: 'kartu:join:height', height: 900 } });
    expect(frame.style.height).toBe('');
    listener!({ origin: 'https://loyalty.toko.co.id', source: {}, data: { type: 'kartu:join:height', height: 900 } });
    expect(frame.style.height).toBe('');
    listener!({ origin: 'https://loyalty.toko.co.id', source: contentWindow, data: { type: 'other', height: 900 } });
    expect(frame.style.height).toBe('');
    listener!({ origin: 'https://loyalty.toko.co.id', source: contentWindow, data: { type: 'kartu:join:height', height: 912.4 } });
    expect(frame.style.height).toBe('913px');
    listener!({ origin: 'https://loyalty.toko.co.id', source: contentWindow, data: { type: 'kartu:join:height', height: 99_999 } });
    expect(frame.style.height).toBe(`${EMBED_HEIGHT.max}px`);
  });
});
