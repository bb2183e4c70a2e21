import { createApp } from "vue";

import App from "./App.vue";
import { router } from "./router";
import { registerServiceWorker } from "./pwa";
import "uplot/dist/uPlot.min.css";
import "./styles.css";

createApp(App).use(router).mount("#app");
registerServiceWorker();
