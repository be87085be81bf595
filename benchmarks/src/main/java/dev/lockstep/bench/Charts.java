package dev.lockstep.bench;

import dev.lockstep.bench.micro.Adapter;
import dev.lockstep.bench.micro.Workload;
import dev.lockstep.bench.real.RealAdapter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's charts, as PNG (XChart). */
final class Charts {

    private Charts() {
    }

    /** Two-phase throughput against threads, one line per system, both axes logarithmic. */
    static boolean twoPhase(BenchOptions o, Results r, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Two-phase commit, two in-memory resources: throughput (median of " + o.repeats + ")")
                .xAxisTitle("threads").yAxisTitle("transactions per second").build();
        org.knowm.xchart.style.XYStyler styler = chart.getStyler();
        styler.setXAxisLogarithmic(true);
        styler.setYAxisLogarithmic(true);
        styler.setXAxisDecimalPattern("#");
        styler.setYAxisDecimalPattern("#,###");
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setChartBackgroundColor(java.awt.Color.WHITE);
        int series = 0;
        for (Adapter a : o.adapters) {
            if (!o.runs(a, Workload.TWO_PHASE) || a == Adapter.XA_BY_HAND) {
                continue; // the XA calls by hand are orders of magnitude above the rest and would flatten the chart
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int t : o.threads) {
                double v = r.median(a.id(), Workload.TWO_PHASE.id(), t, "tps");
                if (!Double.isNaN(v) && v > 0) {
                    x.add((double) t);
                    y.add(v);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(a.label(), x, y).setMarker(SeriesMarkers.CIRCLE);
                series++;
            }
        }
        if (series == 0) {
            return false;
        }
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    /** Real-resource throughput per thread count, every system of the run (the branches alone aside). */
    static boolean real(BenchOptions o, Results r, Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("PostgreSQL + MariaDB + Artemis in one transaction: throughput (median of " + o.repeats + ")")
                .xAxisTitle("threads").yAxisTitle("transactions per second").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        int series = 0;
        for (RealAdapter a : o.realAdapters) {
            if (a.kind() == RealAdapter.Kind.BRANCHES) {
                continue;
            }
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int t : o.realThreads) {
                double v = r.median(a.cell(), "real", t, "tps");
                x.add(Integer.toString(t));
                y.add(Double.isNaN(v) ? 0 : v);
            }
            if (y.stream().anyMatch(v -> v > 0)) {
                chart.addSeries(a.label(), x, y);
                series++;
            }
        }
        if (series == 0) {
            return false;
        }
        BitmapEncoder.saveBitmap(chart, strip(png), BitmapEncoder.BitmapFormat.PNG);
        return true;
    }

    /** XChart appends the extension itself. */
    private static String strip(Path png) {
        String s = png.toString();
        return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }
}
