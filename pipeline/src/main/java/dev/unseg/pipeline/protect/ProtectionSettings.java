package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.image.EncodeOptions;
import dev.unseg.pipeline.image.ImageCodec;
import dev.unseg.pipeline.image.JpegCodec;
import java.io.Serializable;

/**
 * What every image of a run is protected with.
 *
 * @param budget eps inside and outside the mask, in grey levels
 * @param encode output format and JPEG quality
 * @param maxFileBytes input files above this size are refused before being read
 * @param maxPixels images whose header declares more pixels are refused before decoding
 * @param writeMasks also publish each image's eps region as a PNG under the audit folder's
 *     {@code masks/}
 * @param jpegCodec the JPEG library, as resolved on the driver at start (TURBO or IMAGEIO; AUTO resolves
 *     on each executor): an executor without libturbojpeg then fails its images, with the fix, instead of
 *     silently writing other bytes than the run recorded
 * @param sampleBits the bits of a 16-bit sample that hold data ({@code unseg.input.sample-bits}), whose top 8
 *     are the view the noise is added to
 */
public record ProtectionSettings(NoiseBudget budget, EncodeOptions encode, long maxFileBytes, long maxPixels,
    boolean writeMasks, JpegCodec jpegCodec, int sampleBits) implements Serializable {

  public ProtectionSettings {
    java.util.Objects.requireNonNull(jpegCodec, "jpegCodec");
  }

  /** With the JPEG library chosen where the images are processed ({@link JpegCodec#AUTO}), 16-bit data in 16 bits. */
  public ProtectionSettings(
      NoiseBudget budget, EncodeOptions encode, long maxFileBytes, long maxPixels, boolean writeMasks) {
    this(budget, encode, maxFileBytes, maxPixels, writeMasks, JpegCodec.AUTO, ImageCodec.FULL_SAMPLE_BITS);
  }

  /** The mask PNG's path for an image, in the audit folder: {@code masks/<path without extension>.png}. */
  public static String maskPath(String imagePath) {
    int slash = imagePath.lastIndexOf('/');
    int dot = imagePath.lastIndexOf('.');
    String stem = dot > slash ? imagePath.substring(0, dot) : imagePath;
    return "masks/" + stem + ".png";
  }
}
