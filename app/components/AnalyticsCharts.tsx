/**
 * The analytics charts (polaris-viz), loaded in the browser only: they measure their container.
 * The page draws each chart's card and title on the server (so the page's text paints at once and
 * nothing moves when a chart arrives); this module draws only the chart inside it. Every figure
 * drawn here is also in a table or metric on the page.
 */
import {
  BarChart,
  DonutChart,
  getSeriesColors,
  Legend,
  LineChart,
  PolarisVizLightTheme,
  PolarisVizProvider,
} from "@shopify/polaris-viz";
import { useEffect, useRef } from "react";
import type { Analytics } from "../services/analytics.server";

export type ChartName = "suggestions" | "revenue" | "approvals" | "returns" | "loyalty";

interface Series {
  name: string;
  color: string;
  data: { key: string; value: number }[];
}

export default function AnalyticsChart({
  chart,
  analytics,
  weekly,
}: {
  chart: ChartName;
  analytics: Analytics;
  /** Over about a month, one bar a day is too thin to see: the page then asks for weeks. */
  weekly: boolean;
}) {
  const days = weekly ? byWeek(analytics.days) : analytics.days;
  const timeSeries = (...picks: [string, (day: Analytics["days"][number]) => number][]): Series[] => {
    const colors = getSeriesColors(picks.length, PolarisVizLightTheme);
    return picks.map(([name, pick], index) => ({
      name,
      color: colors[index] as string,
      data: days.map((day) => ({ key: day.day, value: pick(day) })),
    }));
  };
  const counts = (name: string, counts: Record<string, number>): Series[] => {
    const entries = Object.entries(counts);
    const colors = getSeriesColors(entries.length, PolarisVizLightTheme);
    return entries.map(([key, value], index) => ({
      name: key.replace(/_/g, " "),
      color: colors[index] as string,
      data: [{ key: name, value }],
    }));
  };
  const major = (minor: number) => minor / 100;

  let drawn: React.ReactNode;
  switch (chart) {
    case "suggestions": {
      const series = timeSeries(["Shown", (d) => d.shown], ["Added", (d) => d.added]);
      drawn = <LineChart data={series} theme="Light" renderLegendContent={legendList(series, "Line")} />;
      break;
    }
    case "revenue": {
      const series = timeSeries(["Revenue", (d) => major(d.attributedRevenueMinor)]);
      drawn = <BarChart data={series} theme="Light" renderLegendContent={legendList(series, "Bar")} />;
      break;
    }
    case "loyalty": {
      const series = timeSeries(["Earned", (d) => d.pointsEarned], ["Redeemed", (d) => d.pointsRedeemed]);
      drawn = <BarChart data={series} theme="Light" renderLegendContent={legendList(series, "Bar")} />;
      break;
    }
    case "approvals": {
      const series = counts("requests", analytics.approvals.byOutcome);
      drawn = <DonutChart data={series} theme="Light" renderLegendContent={legendList(series, "Bar")} />;
      break;
    }
    case "returns": {
      const series = counts("checks", analytics.returns.byVerdict);
      drawn = <DonutChart data={series} theme="Light" renderLegendContent={legendList(series, "Bar")} />;
      break;
    }
  }
  return (
    <PictureOfTable>
      <PolarisVizProvider>{drawn}</PolarisVizProvider>
    </PictureOfTable>
  );
}

/**
 * Every chart here is a picture of a table shown beside it, so assistive technology reads the
 * table and skips the picture: the chart is aria-hidden and nothing in it takes keyboard focus.
 * (polaris-viz marks its points role="image" inside role="table"/"list" SVGs and gives each a tab
 * stop and a label that exists only while its tooltip is open: 60 stops with no name.) Mouse
 * hover and tooltips still work.
 */
function PictureOfTable({ children }: { children: React.ReactNode }) {
  const frame = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = frame.current;
    if (!root) return;
    const unfocus = () => {
      for (const element of root.querySelectorAll("[tabindex], button, a[href], input, select")) {
        if (element.getAttribute("tabindex") !== "-1") element.setAttribute("tabindex", "-1");
      }
    };
    unfocus();
    // The chart redraws on resize and hover; only a tab stop that appears again is changed.
    const observer = new MutationObserver(unfocus);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["tabindex"] });
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={frame} aria-hidden="true">
      {children}
    </div>
  );
}

/**
 * polaris-viz's own legend puts its buttons straight into a role="list" container, which screen
 * readers (and axe's aria-required-children) reject: the same legend items, one list item each.
 * Hovering an item still highlights its series (the items keep their index).
 */
function legendList(series: Series[], shape: "Line" | "Bar") {
  function LegendItems(_interaction: unknown, activeIndex?: number) {
    return series.map((one, index) => (
      <div role="listitem" key={one.name}>
        <Legend
          data={[{ name: one.name, color: one.color, shape }]}
          indexOffset={index}
          activeIndex={activeIndex}
          colorVisionType="singleItem"
          theme="Light"
        />
      </div>
    ));
  }
  return LegendItems;
}

/** Sums days into weeks keyed by their first day. */
function byWeek(days: Analytics["days"]): Analytics["days"] {
  const weeks: Analytics["days"] = [];
  for (const [index, day] of days.entries()) {
    if (index % 7 === 0) weeks.push({ ...day });
    else {
      const week = weeks[weeks.length - 1]!;
      week.shown += day.shown;
      week.added += day.added;
      week.attributedRevenueMinor += day.attributedRevenueMinor;
      week.pointsEarned += day.pointsEarned;
      week.pointsRedeemed += day.pointsRedeemed;
    }
  }
  return weeks;
}
