// The parts of Apache ECharts that static/js/dashboard.js uses, and nothing else: the 30-day
// trend is a line chart on a cartesian grid, with an axis tooltip drawn on the canvas and a
// scrolling legend. A new chart type or component in dashboard.js must be added here and the
// bundle rebuilt (see README.md); until then echarts.init() draws nothing for it.
import { init, use } from "echarts/core";
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// dashboard.js reads window.echarts.init, as it did with the full build; exposing only init
// lets the bundler drop the rest of the core's exports.
window.echarts = { init };
