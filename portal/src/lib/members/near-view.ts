/**
 * A Svelte action that calls `onnear` once, when the element comes within a screen of the
 * viewport: the member page's secondary panels load their data only then. Without
 * IntersectionObserver it calls at once.
 */
export function nearView(node: HTMLElement, onnear: () => void) {
  if (typeof IntersectionObserver === 'undefined') {
    onnear();
    return {};
  }
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      onnear();
    },
    { rootMargin: '100% 0px' },
  );
  observer.observe(node);
  return { destroy: () => observer.disconnect() };
}
