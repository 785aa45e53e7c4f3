package dev.unseg.pipeline.protect;

import dev.unseg.pipeline.composite.NoiseBudget;
import dev.unseg.pipeline.image.EncodeOptions;
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
 */
public record ProtectionSettings(
    NoiseBudget budget, EncodeOptions encode, long maxFileBytes, long maxPixels, boolean writeMasks)
    implements Serializable {

  /** The mask PNG's path for an image, in the audit folder: {@code masks/<path without extension>.png}. */
  public static String maskPath(String imagePath) {
    int slash = imagePath.lastIndexOf('/');
    int dot = imagePath.lastIndexOf('.');
    String stem = dot > slash ? imagePath.substring(0, dot) : imagePath;
    return "masks/" + stem + ".png";
  }
}
