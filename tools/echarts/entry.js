// The parts of Apache ECharts the dashboards draw with (static/js/dashboard.js):
// bar and line charts on a grid, tooltip, legend, a marker line, SVG output
// (the core carries the Chinese and English locales). Bundled by build.sh
// into static/vendor/echarts/.
import * as echarts from "echarts/core";
import { BarChart, LineChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TooltipComponent,
  SVGRenderer,
]);

window.echarts = echarts;
