import { onBeforeUnmount, onMounted, type Ref } from "vue";

/** Calls `draw` once mounted and again whenever `box` changes size; stops watching on unmount. */
export function useRedrawOnResize(box: Ref<HTMLElement | null>, draw: () => void): void {
  let resize: ResizeObserver | null = null;
  onMounted(() => {
    draw();
    if (box.value) {
      resize = new ResizeObserver(draw);
      resize.observe(box.value);
    }
  });
  onBeforeUnmount(() => resize?.disconnect());
}
