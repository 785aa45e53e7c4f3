package dev.unseg.jobs.protect;

import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A console note at start when the dataset's first 16-bit image holds far fewer bits than
 * {@code unseg.input.sample-bits} says: an 11-bit satellite tile at the default 16 would have its samples moved
 * by up to eps x 256, its data's whole range (docs/formats.md, "16-bit samples"). A note, not a refusal: a
 * dark 16-bit photo uses fewer bits too, and the image looked at may not be typical of its dataset.
 */
final class SampleBitsHint {
  /** Files listed at most to find a PNG or TIFF image. */
  private static final int LISTED = 200;
  /** Bits unused at the top before the note is given: data in 14 bits of 16 already moves by 4 x eps of its range. */
  private static final int SLACK = 2;
  /** The largest image looked at, in bytes and pixels (a 16-bit RGB tile of 4096 x 4096 is 96 MiB decoded). */
  private static final long LOOKED_AT_BYTES = 64L << 20;
  private static final long LOOKED_AT_PIXELS = 4096L * 4096;

  private SampleBitsHint() {}

  /** The note for the first PNG or TIFF under --images (folder formats), or none. */
  static Optional<String> of(ProtectConfig config, Locations locations, Configuration hadoop) throws IOException {
    int sampleBits = config.protection().sampleBits();
    if (config.format().cliName().startsWith("coco") || sampleBits <= 8 + SLACK) {
      return Optional.empty();
    }
    Storage images = Storage.of(locations.images(), hadoop);
    String[] first = new String[1];
    int[] listed = new int[1];
    images.any(locations.images(), rel -> {
      String lower = rel.toLowerCase(Locale.ROOT);
      if (lower.endsWith(".tif") || lower.endsWith(".tiff") || lower.endsWith(".png")) {
        first[0] = rel;
      }
      return first[0] != null || ++listed[0] >= LISTED;
    });
    if (first[0] == null) {
      return Optional.empty();
    }
    Path file = new Path(new Path(locations.images()), first[0]);
    try {
      // A look at one image on the driver: a larger one is left to its task, where memory is budgeted.
      ImageCodec codec = new ImageCodec(LOOKED_AT_PIXELS);
      DecodedImage image = codec.decode(images.read(file, LOOKED_AT_BYTES), first[0]);
      int used = codec.dataBits(image);
      if (image.bitsPerSample() != ImageCodec.FULL_SAMPLE_BITS || used > sampleBits - SLACK) {
        return Optional.empty();
      }
      double eps = config.protection().budget().eps();
      int scale = 1 << (sampleBits - 8);
      return Optional.of(String.format(Locale.ROOT, "unseg: note: %s is a 16-bit image whose samples use %d bits (all"
          + " below %d), but unseg.input.sample-bits = %d: its samples will move by up to %.0f (eps x %d), %.0f%% of its"
          + " data's range, where eps is %.0f%% of an 8-bit image's. If the dataset's data holds %d bits, stop and run"
          + " again with --conf unseg.input.sample-bits=%d (docs/formats.md, 16-bit samples).", file, used, 1 << used,
          sampleBits, eps * scale, scale, Math.min(100, 100 * eps * scale / (1 << used)), 100 * eps / 256, used, used));
    } catch (InputException | IOException e) {
      return Optional.empty(); // the image gets its own row when protected; this is a note only
    }
  }
}
