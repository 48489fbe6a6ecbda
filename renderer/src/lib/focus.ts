/** Svelte action: moves keyboard and screen-reader focus to the element when a screen appears. */
export function focusOnMount(node: HTMLElement): void {
  queueMicrotask(() => node.focus());
}
