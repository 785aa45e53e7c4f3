package dev.unseg.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.ClusteredXYBarRenderer;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The report's histograms and train-generator's loss curves (JFreeChart, rendered headless to PNG). */
public final class Charts {
  static final int WIDTH = 900;
  static final int HEIGHT = 380;
  static final Color INSIDE = new Color(230, 120, 0);
  static final Color OUTSIDE = new Color(0, 100, 200);

  private Charts() {}

  /** Images per L-inf value (grey levels), inside and outside the eps region, with the two budgets marked. */
  static byte[] linf(Map<Long, Long> inside, Map<Long, Long> outside, double eps, double epsBg) {
    XYSeriesCollection data = series(inside, outside, 0);
    long top = Math.max(Math.round(Math.ceil(eps)), Math.max(maxKey(inside), maxKey(outside)));
    XYPlot plot = plot(data, "L-inf: largest |protected - original| of the image (grey levels)", -0.5, top + 0.5);
    plot.addDomainMarker(marker(eps, "eps " + number(eps)));
    plot.addDomainMarker(marker(epsBg, "eps_bg " + number(epsBg)));
    return render(plot, "L-inf inside and outside the eps region, over all images", null);
  }

  /** Images per whole dB of PSNR, inside and outside; identical outputs (infinite PSNR) counted in the subtitle. */
  static byte[] psnr(Map<Long, Long> inside, Map<Long, Long> outside) {
    XYSeriesCollection data = series(inside, outside, 0.5);
    long lo = Math.min(minKey(inside), minKey(outside));
    long hi = Math.max(maxKey(inside), maxKey(outside));
    XYPlot plot = plot(data, "PSNR of the output against the input (dB, 1 dB bins)",
        lo == Long.MAX_VALUE ? 0 : lo, hi < 0 ? 60 : hi + 1);
    long infIn = inside.getOrDefault(ManifestStats.INFINITE, 0L);
    long infOut = outside.getOrDefault(ManifestStats.INFINITE, 0L);
    String subtitle = infIn + infOut == 0 ? null : String.format(Locale.ROOT,
        "not drawn: identical to the input (infinite PSNR): %d images inside, %d outside", infIn, infOut);
    return render(plot, "PSNR inside and outside the eps region, over all images", subtitle);
  }

  private static XYSeriesCollection series(Map<Long, Long> inside, Map<Long, Long> outside, double offset) {
    XYSeriesCollection data = new XYSeriesCollection();
    data.addSeries(series("inside the eps region", inside, offset));
    data.addSeries(series("outside", outside, offset));
    data.setIntervalWidth(0.9);
    return data;
  }

  private static XYSeries series(String name, Map<Long, Long> counts, double offset) {
    XYSeries s = new XYSeries(name);
    counts.forEach((bucket, n) -> {
      if (bucket != ManifestStats.INFINITE) {
        s.add(bucket + offset, n);
      }
    });
    return s;
  }

  private static XYPlot plot(XYSeriesCollection data, String xLabel, double from, double to) {
    NumberAxis x = new NumberAxis(xLabel);
    x.setRange(from, Math.max(to, from + 1));
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis("images");
    y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    y.setAutoRangeIncludesZero(true);
    ClusteredXYBarRenderer bars = new ClusteredXYBarRenderer(0, false);
    bars.setBarPainter(new StandardXYBarPainter());
    bars.setShadowVisible(false);
    bars.setSeriesPaint(0, INSIDE);
    bars.setSeriesPaint(1, OUTSIDE);
    XYPlot plot = new XYPlot(data, x, y, bars);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    plot.setNoDataMessage("no image has a value (every image failed)");
    return plot;
  }

  /** Line chart of named series over epochs 1..n (a training's losses), as a PNG. */
  public static byte[] epochLines(String title, String yLabel, Map<String, List<Double>> series) {
    XYSeriesCollection data = new XYSeriesCollection();
    int epochs = 1;
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      XYSeries s = new XYSeries(e.getKey());
      for (int i = 0; i < e.getValue().size(); i++) {
        s.add(i + 1, e.getValue().get(i));
      }
      epochs = Math.max(epochs, e.getValue().size());
      data.addSeries(s);
    }
    NumberAxis x = new NumberAxis("epoch");
    x.setRange(1, Math.max(2, epochs));
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(true);
    XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
    Color[] palette = {new Color(200, 40, 40), new Color(40, 80, 200), new Color(0, 150, 60), new Color(90, 90, 90)};
    for (int i = 0; i < data.getSeriesCount(); i++) {
      lines.setSeriesStroke(i, new BasicStroke(2f));
      lines.setSeriesPaint(i, palette[i % palette.length]);
    }
    XYPlot plot = new XYPlot(data, x, y, lines);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(220, 220, 220));
    plot.setRangeGridlinePaint(new Color(220, 220, 220));
    return render(plot, title, null);
  }

  private static ValueMarker marker(double at, String label) {
    ValueMarker m = new ValueMarker(at, new Color(120, 120, 120), new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
    m.setLabel(label);
    m.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
    return m;
  }

  private static byte[] render(XYPlot plot, String title, String subtitle) {
    JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    if (subtitle != null) {
      chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    }
    return ReportHtml.png(chart.createBufferedImage(WIDTH, HEIGHT));
  }

  private static long maxKey(Map<Long, Long> m) {
    return m.keySet().stream().filter(k -> k != ManifestStats.INFINITE).mapToLong(Long::longValue).max().orElse(-1);
  }

  private static long minKey(Map<Long, Long> m) {
    return m.keySet().stream().filter(k -> k != ManifestStats.INFINITE).mapToLong(Long::longValue).min()
        .orElse(Long.MAX_VALUE);
  }

  static String number(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
  }
}
