package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.audit.AuditRecord;
import dev.unseg.pipeline.audit.Distortion;
import dev.unseg.pipeline.audit.ImageStatus;
import dev.unseg.pipeline.audit.Sha256;
import dev.unseg.pipeline.composite.Composite;
import dev.unseg.pipeline.dataset.ImageTask;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import dev.unseg.pipeline.generator.GeneratorImage;
import dev.unseg.pipeline.generator.GeneratorInfo;
import dev.unseg.pipeline.image.DecodedImage;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.OutputFormat;
import dev.unseg.pipeline.mask.BinaryMask;
import java.io.FileNotFoundException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-image steps of the generator contract (docs/unseg-contract.md), split where the generator's batching needs them split:
 * {@link #prepare} (read, decode, mask, generator inputs) runs on worker threads, the generator
 * runs on whole batches, and {@link #finish} (composite, encode, publish, audit) runs on worker
 * threads again. Neither step throws for a bad input: it becomes a failed record.
 */
public final class ImageProtector {
  private static final Logger LOG = LoggerFactory.getLogger(ImageProtector.class);
  private final ProtectionSettings settings;
  private final GeneratorInfo generator;
  private final ImageCodec codec;

  public ImageProtector(ProtectionSettings settings, GeneratorInfo generator) {
    this.settings = settings;
    this.generator = generator;
    this.codec = new ImageCodec(settings.maxPixels(), settings.jpegCodec(), settings.sampleBits());
  }

  public GeneratorInfo generator() {
    return generator;
  }

  /** An image between the steps: either finished (failed early) or ready for the generator. */
  public sealed interface Stage permits Done, Prepared {}

  public record Done(AuditRecord record) implements Stage {}

  /**
   * A decoded image with its mask and generator inputs. {@code prompt} is null when the mask is
   * empty (the image gets no noise); {@code classPrompt} (the classes at the prompt's grid) is null when the format
   * gives none; {@code generatorImage} is null when the generator reads no image.
   */
  public record Prepared(
      ImageTask task,
      AuditRecord.Builder audit,
      byte[] original,
      DecodedImage image,
      BinaryMask mask,
      float[] prompt,
      byte[] classPrompt,
      GeneratorImage generatorImage)
      implements Stage {
    public boolean needsNoise() {
      return prompt != null;
    }
  }

  public Stage prepare(ImageTask task, DatasetIO io) {
    AuditRecord.Builder audit = AuditRecord.forInput(
        task.imagePath(), settings.budget().eps(), settings.budget().epsBackground(), generator);
    if (task.rejection() != null) {
      return new Done(audit.failed(task.rejection().code(), task.rejection().message()));
    }
    try {
      byte[] bytes = read(task.imagePath(), io);
      audit.input(bytes.length, Sha256.hex(bytes));
      DecodedImage image = codec.decode(bytes, task.imagePath());
      audit.image(image.width(), image.height(), image.format().name().toLowerCase(java.util.Locale.ROOT));
      BinaryMask mask = mask(task, image, io);
      long maskPixels = mask.count();
      audit.maskPixels(maskPixels);
      if (maskPixels == 0) {
        mask.classes(null);
        return new Prepared(task, audit, bytes, image, mask, null, null, null);
      }
      float[] prompt = Composite.maskPrompt(mask);
      audit.promptSha256(Sha256.ofPrompt(prompt));
      byte[] classPrompt = Composite.classPrompt(mask);
      mask.classes(null); // a byte a pixel, held no longer than needed: only the 256 x 256 classes travel on
      return new Prepared(task, audit, bytes, image, mask, prompt, classPrompt,
          Composite.generatorInput(generator.imageInput(), image.rgb(), image.width(), image.height()));
    } catch (InputException e) {
      return new Done(failed(audit, task.imagePath(), e));
    } catch (RuntimeException e) {
      return new Done(internalError(audit, task.imagePath(), e));
    }
  }

  /**
   * Composites {@code noise} (null for an image without mask), encodes, publishes and audits.
   */
  public AuditRecord finish(Prepared p, float[] noise, DatasetIO io) {
    String path = p.task().imagePath();
    try {
      DecodedImage image = p.image();
      OutputFormat outputFormat = settings.encode().format();
      String outputPath = outputFormat.outputPath(path, image.format());
      byte[] out;
      byte[] pixels;
      BinaryMask epsRegion;
      ImageStatus status;
      if (p.needsNoise()) {
        // W once: the composite's budget map is also the audit's eps region.
        epsRegion = new BinaryMask(image.width(), image.height(),
            Composite.foregroundWeight(p.prompt(), image.width(), image.height()));
        pixels = Composite.protectWithWeight(
            image.rgb(), image.width(), image.height(), epsRegion.pixels(), noise, settings.budget());
        codec.keepNoData(image, pixels);
        out = codec.encode(image, pixels, settings.encode());
        status = ImageStatus.PROTECTED;
      } else {
        // The reference writes unmasked images unchanged; the original bytes are that, exactly.
        pixels = image.rgb();
        out = outputFormat == OutputFormat.SAME
            ? p.original()
            : codec.encode(image, pixels, settings.encode());
        epsRegion = p.mask();
        status = ImageStatus.NO_MASK;
      }
      // The audit measures the written file. Decoding it again costs as much as the first decode; skip
      // it where the result is known exactly: the input's own bytes (decoded above), or a lossless
      // encoding that round-trips (ImageCodec.roundTripsExactly). JPEG output is always decoded again.
      boolean known = out == p.original() || codec.roundTripsExactly(image, settings.encode());
      byte[] written = known ? pixels : codec.decode(out, outputPath).rgb();
      Distortion distortion = Distortion.measure(image.rgb(), written, epsRegion);
      publish(outputPath, () -> io.publishImage(outputPath, out));
      if (settings.writeMasks()) {
        String maskPath = ProtectionSettings.maskPath(path);
        byte[] png = MaskPng.encode(epsRegion);
        publish(maskPath, () -> io.publishAudit(maskPath, png));
      }
      return p.audit().written(status, outputPath, out.length, Sha256.hex(out), epsRegion.count(), distortion);
    } catch (InputException e) {
      return failed(p.audit(), path, e);
    } catch (RuntimeException e) {
      return internalError(p.audit(), path, e);
    }
  }

  /** The record for every image of a batch the generator failed on. */
  public AuditRecord generatorFailed(Prepared p, Exception e) {
    return failed(p.audit(), p.task().imagePath(), new InputException(ErrorCode.GENERATOR_FAILED,
        "generator " + generator.id() + " failed on the batch holding " + p.task().imagePath() + ": "
            + InputException.detail(e), e));
  }

  /**
   * The image's mask. A size mismatch on a JPEG that viewers show turned a quarter (EXIF orientation 5-8)
   * says so: annotations drawn on the picture as shown then have its sides swapped (ExifOrientationTest).
   */
  private static BinaryMask mask(ImageTask task, DecodedImage image, DatasetIO io) throws InputException {
    try {
      return task.mask().build(image.width(), image.height(), io.annotations());
    } catch (InputException e) {
      int orientation = image.exifOrientation();
      if (e.code() != ErrorCode.MASK_SIZE_MISMATCH || orientation < 5) {
        throw e;
      }
      throw new InputException(e.code(), e.getMessage() + ". Likely cause: its EXIF orientation (" + orientation
          + ") makes viewers show it turned, as " + image.height() + "x" + image.width() + ", and annotations"
          + " drawn on it as shown have those sides (this product keeps the stored pixels and their tag): turn"
          + " such images to how they are shown (exiftran -ai, or mogrify -auto-orient) and protect them again", e);
    }
  }

  /** The failed record of an input error; its cause, if any, goes to the log with its stack trace. */
  private static AuditRecord failed(AuditRecord.Builder audit, String path, InputException e) {
    if (e.getCause() != null && !(e.getCause() instanceof FileNotFoundException
        || e.getCause() instanceof java.nio.file.NoSuchFileException)) { // a missing file's row says all there is
      LOG.info("{} failed ({}): {}", path, e.code().code(), e.getMessage(), e.getCause());
    }
    return audit.failed(e.code(), e.getMessage());
  }

  /** A bug's failed record: the row names it, the log has its stack trace. */
  private static AuditRecord internalError(AuditRecord.Builder audit, String path, RuntimeException e) {
    LOG.warn("unexpected error on {}", path, e);
    return audit.failed(ErrorCode.INTERNAL_ERROR, "unexpected error on " + path + ": " + InputException.detail(e)
        + " (a bug: please report it with this manifest row and the stack trace the log has for this image)");
  }

  private byte[] read(String path, DatasetIO io) throws InputException {
    try {
      return io.readImage(path, settings.maxFileBytes());
    } catch (IOException e) {
      throw readFailure(path, e);
    }
  }

  /** The row's error for an image that could not be read. */
  static InputException readFailure(String path, IOException e) {
    if (e instanceof FileNotFoundException) {
      return new InputException(ErrorCode.IMAGE_MISSING,
          "image " + path + " is named by the dataset but does not exist under the images root");
    }
    if (e instanceof dev.unseg.pipeline.dataset.FileTooLargeException) {
      return new InputException(ErrorCode.IMAGE_TOO_LARGE, e.getMessage());
    }
    if (e instanceof dev.unseg.pipeline.dataset.UnsafePathException) {
      return new InputException(ErrorCode.PATH_UNSAFE, "image path " + path + " was not followed: " + e.getMessage());
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      // the storage's refusal (file permissions, an object store's 403), not a path this tool refused
      return new InputException(ErrorCode.IMAGE_UNREADABLE, "cannot read image " + path + ": access denied ("
          + InputException.detail(e) + "): give this job's user or credentials read access to it", e);
    }
    return new InputException(ErrorCode.IMAGE_UNREADABLE, "cannot read image " + path + ": " + InputException.detail(e), e);
  }

  private interface Write {
    void run() throws IOException;
  }

  private static void publish(String outputPath, Write write) throws InputException {
    try {
      write.run();
    } catch (IOException e) {
      throw new InputException(ErrorCode.OUTPUT_WRITE_FAILED,
          "cannot write " + outputPath + " under the output root: " + InputException.detail(e)
              + " (check that --output is writable and has space)", e);
    }
  }
}
