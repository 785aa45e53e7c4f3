package dev.unseg.jobs.evaluate;

import dev.unseg.jobs.config.RunSpec;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.error.UserError;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.OutputFormat;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Where the protected copy of a clean training image comes from: the files a protect run wrote
 * ({@link #released}), or a generator applied in memory (train-generator's verdict).
 */
public interface ProtectedCopies {
  /**
   * The protected copy of a clean image as a thief would decode it: RGB pixels, row-major, at the clean
   * image's size. An image without a copy is an {@link InputException}: it is left out with that reason.
   */
  byte[] copy(String name, DecodedImage clean, LabeledDataset data) throws IOException, InputException;

  /** What made the copies, for the report: the protect run's output, or the model. */
  String source();

  /** The files a protect run wrote under its output, found by the run's own output layout. */
  static ProtectedCopies released(RunSpec run, Configuration hadoop, ImageCodec codec, long maxFileBytes) throws IOException {
    Locations released = run.locations();
    OutputFormat outputFormat = OutputFormat.valueOf(run.outputFormat().toUpperCase(Locale.ROOT));
    Storage storage = Storage.of(released.output(), hadoop);
    // A run stopped before its end has copies of only some images: say so where a missing one is named.
    String why = storage.exists(released.layout().success()) ? "the run's manifest row says why"
        : "the protect run in " + run.output() + " has not finished (no _SUCCESS): finish it with the same protect"
            + " command and --resume, then evaluate";
    return new ProtectedCopies() {
      @Override
      public byte[] copy(String name, DecodedImage clean, LabeledDataset data) throws IOException, InputException {
        Path copy = released.outputImagePath(outputFormat.outputPath(name, clean.format()));
        byte[] bytes;
        try {
          bytes = storage.read(copy, maxFileBytes);
        } catch (FileNotFoundException e) {
          throw new InputException(ErrorCode.IMAGE_MISSING, "no protected copy at " + copy + " (" + why + ")");
        }
        DecodedImage prot = codec.decode(bytes, copy.toString());
        if (prot.width() != clean.width() || prot.height() != clean.height()) {
          throw new UserError("protected " + copy + " is " + prot.width() + "x" + prot.height() + ", its clean image "
              + clean.width() + "x" + clean.height() + ": is --images the dataset this run protected?");
        }
        return prot.rgb();
      }

      @Override
      public String source() {
        return run.output();
      }
    };
  }
}
