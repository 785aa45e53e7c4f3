package dev.unseg.pipeline.image;

import java.util.Locale;

/**
 * Which library decodes and encodes JPEG (config {@code unseg.codec.jpeg}). Both decode to the same
 * pixels (ImageCodecTurboTest); encoded files differ in their bytes, so a run records its codec.
 */
public enum JpegCodec {
  /** TURBO where libturbojpeg loads, else IMAGEIO. */
  AUTO,
  /** The system's libjpeg-turbo (about twice as fast); files it cannot decode exactly go to ImageIO. */
  TURBO,
  /** The JDK's ImageIO (libjpeg 6b) with TwelveMonkeys' reader. */
  IMAGEIO;

  /** Parses {@code auto}, {@code turbo} or {@code imageio} (any case). */
  public static JpegCodec parse(String s) {
    return valueOf(s.trim().toUpperCase(Locale.ROOT));
  }

  /**
   * The codec actually used on this machine: never AUTO.
   *
   * @throws IllegalStateException for TURBO when libturbojpeg cannot be loaded, with the fix
   */
  public JpegCodec resolve() {
    return switch (this) {
      case AUTO -> TurboJpeg.available() ? TURBO : IMAGEIO;
      case TURBO -> {
        if (!TurboJpeg.available()) {
          throw new IllegalStateException(TurboJpeg.unavailableReason());
        }
        yield TURBO;
      }
      case IMAGEIO -> IMAGEIO;
    };
  }

  /** Why TURBO cannot be used here, with the fix; null when it can. */
  public static String turboUnavailableReason() {
    return TurboJpeg.unavailableReason();
  }

  /** The config spelling. */
  public String setting() {
    return name().toLowerCase(Locale.ROOT);
  }
}
