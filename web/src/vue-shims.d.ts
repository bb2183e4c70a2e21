import "vue-router";

declare module "vue-router" {
  interface RouteMeta {
    title?: string;
    /** A page shown without the navigation bar (the spectator view). */
    bare?: boolean;
  }
}
