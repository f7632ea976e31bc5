package io.mecmesh.perf.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The PNG charts of RESULTS.md, drawn with XChart from the measured data.
 */
final class ReportCharts
{
    /** The x axis of a percentile curve ends at 99.999 %: five nines. */
    private static final double MAX_NINES = 5.0;

    private ReportCharts()
    {
    }

    /**
     * Latency percentile curves of one cell, one series per system (its runs' histograms merged): x is the number
     * of nines, -log10(1 - percentile), labelled as the percentile (0 %, 90 %, 99 %, ...); y is logarithmic.
     *
     * @param file      the PNG to write.
     * @param title     the chart title.
     * @param latencies system label → merged latency histogram (microseconds), in legend order.
     */
    static void latencyPercentiles(final Path file, final String title, final Map<String, Histogram> latencies)
    {
        final XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
            .xAxisTitle("percentile").yAxisTitle("latency from intended send (µs)").build();
        chart.getStyler().setYAxisLogarithmic(true)
            .setLegendPosition(Styler.LegendPosition.InsideNW).setMarkerSize(0);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(MAX_NINES);
        chart.setCustomXAxisTickLabelsFormatter(ReportCharts::percentileLabel);
        for (final Map.Entry<String, Histogram> entry : latencies.entrySet())
        {
            final List<Double> x = new ArrayList<>();
            final List<Double> y = new ArrayList<>();
            for (final HistogramIterationValue value : entry.getValue().percentiles(5))
            {
                final double percentile = value.getPercentileLevelIteratedTo();
                final double nines = -Math.log10(1.0 - percentile / 100.0);
                if (percentile >= 100.0 || nines > MAX_NINES)
                {
                    break;
                }
                x.add(nines);
                y.add((double)Math.max(1, value.getValueIteratedTo()));
            }
            if (!x.isEmpty())
            {
                final XYSeries series = chart.addSeries(entry.getKey(), x, y);
                series.setMarker(SeriesMarkers.NONE);
            }
        }
        save(chart, file);
    }

    /**
     * CPU per request: one group of bars per cell, one bar per system.
     *
     * @param file    the PNG to write.
     * @param cells   the cells' short names, in order.
     * @param systems system label → CPU µs per request per cell (NaN where not measured), in legend order.
     */
    static void cpuPerRequest(final Path file, final List<String> cells, final Map<String, double[]> systems)
    {
        final CategoryChart chart = new CategoryChartBuilder().width(1100).height(540)
            .title("Proxy CPU per request (median of the repetitions; lower is better)")
            .xAxisTitle("cell").yAxisTitle("CPU µs per request").build();
        final CategoryStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setLabelsVisible(true);
        styler.setYAxisDecimalPattern("0.0");
        styler.setAvailableSpaceFill(0.9);
        for (final Map.Entry<String, double[]> entry : systems.entrySet())
        {
            final List<Double> values = new ArrayList<>();
            for (final double value : entry.getValue())
            {
                values.add(Double.isNaN(value) ? 0.0 : value);
            }
            chart.addSeries(entry.getKey(), cells, values);
        }
        save(chart, file);
    }

    private static String percentileLabel(final Double nines)
    {
        if (nines == null || !Double.isFinite(nines) || nines < 0.0 || Math.abs(nines - Math.rint(nines)) > 1e-6)
        {
            return "";
        }
        final double percentile = 100.0 * (1.0 - Math.pow(10.0, -nines));
        return new BigDecimal(String.format(Locale.ROOT, "%.4f", percentile)).stripTrailingZeros().toPlainString()
            + "%";
    }

    private static void save(final org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, final Path file)
    {
        try
        {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write " + file, ex);
        }
    }
}
