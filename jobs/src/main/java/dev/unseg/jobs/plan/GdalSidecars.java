package dev.unseg.jobs.plan;

import java.util.Locale;
import java.util.Set;

/**
 * GDAL's files beside an image. Most hold no pixels (georeferencing, projection, valid-pixel masks, sensor
 * metadata) and are what makes a tile usable on a map: they travel with the release unchanged. Overviews hold
 * the image's own pixels, reduced: released beside a protected tile, they would give it away unprotected.
 */
public final class GdalSidecars {
  /**
   * World files (.tfw, .jgw, .pgw, .wld and their long forms), the projection (.prj), an external mask (.msk),
   * RPC and DigitalGlobe metadata (.rpb, .imd); the PAM file (.aux.xml) and RPC text are matched by their endings.
   */
  private static final Set<String> PIXEL_FREE = Set.of("tfw", "tifw", "tiffw", "jgw", "jpgw", "jpegw", "pgw", "pngw",
      "wld", "prj", "msk", "rpb", "imd");
  /** GDAL's external overviews (.ovr) and ERDAS reduced-resolution sets (.rrd). */
  private static final Set<String> OVERVIEWS = Set.of("ovr", "rrd");

  private GdalSidecars() {}

  /** Whether {@code rel} names a sidecar that holds no pixels of the image. */
  public static boolean pixelFree(String rel) {
    String lower = rel.toLowerCase(Locale.ROOT);
    return lower.endsWith(".aux.xml") || lower.endsWith("_rpc.txt") || PIXEL_FREE.contains(extension(lower));
  }

  /** Whether {@code rel} names overviews: the pixels of an image, reduced. */
  public static boolean overviews(String rel) {
    return OVERVIEWS.contains(extension(rel.toLowerCase(Locale.ROOT)));
  }

  private static String extension(String lower) {
    int slash = lower.lastIndexOf('/');
    int dot = lower.lastIndexOf('.');
    return dot <= slash + 1 ? "" : lower.substring(dot + 1);
  }
}
