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

/**
 * The per-image steps of UNSEG.md, split where the generator's batching needs them split:
 * {@link #prepare} (read, decode, mask, generator inputs) runs on worker threads, the generator
 * runs on whole batches, and {@link #finish} (composite, encode, publish, audit) runs on worker
 * threads again. Neither step throws for a bad input: it becomes a failed record.
 */
public final class ImageProtector {
  private final ProtectionSettings settings;
  private final GeneratorInfo generator;
  private final ImageCodec codec;

  public ImageProtector(ProtectionSettings settings, GeneratorInfo generator) {
    this.settings = settings;
    this.generator = generator;
    this.codec = new ImageCodec(settings.maxPixels(), settings.jpegCodec());
  }

  public GeneratorInfo generator() {
    return generator;
  }

  /** An image between the steps: either finished (failed early) or ready for the generator. */
  public sealed interface Stage permits Done, Prepared {}

  public record Done(AuditRecord record) implements Stage {}

  /**
   * A decoded image with its mask and generator inputs. {@code prompt} is null when the mask is
   * empty (the image gets no noise); {@code generatorImage} is null when the generator reads no image.
   */
  public record Prepared(
      ImageTask task,
      AuditRecord.Builder audit,
      byte[] original,
      DecodedImage image,
      BinaryMask mask,
      float[] prompt,
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
      BinaryMask mask = task.mask().build(image.width(), image.height(), io.annotations());
      long maskPixels = mask.count();
      audit.maskPixels(maskPixels);
      if (maskPixels == 0) {
        return new Prepared(task, audit, bytes, image, mask, null, null);
      }
      float[] prompt = Composite.maskPrompt(mask);
      return new Prepared(task, audit, bytes, image, mask, prompt,
          Composite.generatorInput(generator.imageInput(), image.rgb(), image.width(), image.height()));
    } catch (InputException e) {
      return new Done(audit.failed(e.code(), e.getMessage()));
    } catch (RuntimeException e) {
      return new Done(audit.failed(ErrorCode.INTERNAL_ERROR, internalMessage(task.imagePath(), e)));
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
      return p.audit().failed(e.code(), e.getMessage());
    } catch (RuntimeException e) {
      return p.audit().failed(ErrorCode.INTERNAL_ERROR, internalMessage(path, e));
    }
  }

  /** The record for every image of a batch the generator failed on. */
  public AuditRecord generatorFailed(Prepared p, Exception e) {
    return p.audit().failed(ErrorCode.GENERATOR_FAILED,
        "generator " + generator.id() + " failed on the batch holding " + p.task().imagePath() + ": " + e);
  }

  private byte[] read(String path, DatasetIO io) throws InputException {
    try {
      return io.readImage(path, settings.maxFileBytes());
    } catch (FileNotFoundException e) {
      throw new InputException(ErrorCode.IMAGE_MISSING,
          "image " + path + " is named by the dataset but does not exist under the images root");
    } catch (dev.unseg.pipeline.dataset.FileTooLargeException e) {
      throw new InputException(ErrorCode.IMAGE_TOO_LARGE, e.getMessage());
    } catch (java.nio.file.AccessDeniedException e) {
      throw new InputException(ErrorCode.PATH_UNSAFE, "image path " + path + " was not followed: " + e.getMessage());
    } catch (IOException e) {
      throw new InputException(ErrorCode.IMAGE_UNREADABLE, "cannot read image " + path + ": " + e, e);
    }
  }

  private interface Write {
    void run() throws IOException;
  }

  private static void publish(String outputPath, Write write) throws InputException {
    try {
      write.run();
    } catch (IOException e) {
      throw new InputException(ErrorCode.OUTPUT_WRITE_FAILED,
          "cannot write " + outputPath + " under the output root: " + e
              + " (check that --output is writable and has space)", e);
    }
  }

  private static String internalMessage(String path, RuntimeException e) {
    return "unexpected error on " + path + ": " + e + " (a bug: please report it with this manifest row)";
  }
}
