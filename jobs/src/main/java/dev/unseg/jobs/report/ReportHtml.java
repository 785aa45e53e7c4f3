package dev.unseg.jobs.report;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the HTML reports share (the protect run's {@code _unseg/report.html} and {@code unseg
 * evaluate}'s report): one stylesheet, escaping, a small {@code {{name}}} template filler, the
 * amplified-noise picture and in-memory PNG encoding.
 */
public final class ReportHtml {
  /** The reports' stylesheet: plain, printable, no external resources. */
  public static final String STYLE = """
      body{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;margin:24px;color:#222;background:#fff;font-size:14px}
      h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc;padding-bottom:4px}
      h3{font-size:15px;margin:18px 0 4px}
      table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
      th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
      code,.path{font-family:"DejaVu Sans Mono",monospace;font-size:12px}
      .muted{color:#666}.ok{color:#1a7f37;font-weight:bold}.bad{color:#b42318;font-weight:bold}.warn{color:#9a6700;font-weight:bold}
      td.path{word-break:break-all}
      .row{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}.row>div{flex:1 1 480px;min-width:0}.row+.row{margin-top:12px}
      figure{margin:0}figcaption{font-size:12px;color:#444;max-width:100%}
      img{display:block;border:1px solid #ddd}img.broken{outline:3px solid #b42318}
      """;
  private static final Pattern SLOT = Pattern.compile("\\{\\{([a-z_]+)}}");

  private ReportHtml() {}

  public static String escape(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** A classpath template with every {@code {{name}}} replaced; a slot without a value is a bug. */
  public static String fill(String resource, Map<String, String> values) {
    String template;
    try (InputStream in = ReportHtml.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("template " + resource + " is missing from the jar");
      }
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher m = SLOT.matcher(template);
    StringBuilder out = new StringBuilder(template.length() * 2);
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        throw new IllegalStateException("template " + resource + ": no value for {{" + m.group(1) + "}}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * {@code (after - before) * scale} around mid grey 128, clamped to 0-255, sample by sample: where
   * the noise is, and what shape it has.
   */
  public static byte[] amplifiedNoise(byte[] before, byte[] after, double scale) {
    byte[] out = new byte[before.length];
    for (int i = 0; i < before.length; i++) {
      long d = Math.round(((after[i] & 255) - (before[i] & 255)) * scale) + 128;
      out[i] = (byte) Math.max(0, Math.min(255, d));
    }
    return out;
  }

  /** An image as a PNG file's bytes, encoded in memory. */
  public static byte[] png(BufferedImage img) {
    return dev.unseg.pipeline.image.PngBytes.encode(img);
  }

  /** Interleaved 8-bit RGB (HWC) as an image. */
  public static BufferedImage rgbImage(byte[] rgb, int width, int height) {
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    byte[] dst = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int i = 0; i < rgb.length; i += 3) { // TYPE_3BYTE_BGR stores B, G, R
      dst[i] = rgb[i + 2];
      dst[i + 1] = rgb[i + 1];
      dst[i + 2] = rgb[i];
    }
    return img;
  }
}
