package dev.unseg.pipeline.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * An image list ({@code unseg.input.image-list}): the images of a dataset laid out in folders that a run
 * takes, one per line, as Pascal VOC's {@code ImageSets/Segmentation/trainval.txt} names them. A line is
 * a path relative to the images root, or such a path without its extension, which then gets the format's
 * own ({@link LabelMapLayout#listedImage}). Lines are trimmed; blank lines and lines starting with {@code #} are skipped.
 * Read as a stream: the list is never held in memory.
 */
public final class ImageList {
  private ImageList() {}

  public interface Visitor {
    void image(String imageRelativePath) throws IOException;
  }

  /** Visits the image path of every entry, in the list's order; returns how many there were. */
  public static long read(InputStream in, DatasetFormat format, Visitor visitor) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    long entries = 0;
    for (String line; (line = lines.readLine()) != null; ) {
      String entry = line.replace("\uFEFF", "").trim();
      if (!entry.isEmpty() && !entry.startsWith("#")) {
        visitor.image(LabelMapLayout.listedImage(entry, format));
        entries++;
      }
    }
    return entries;
  }
}
