package dev.unseg.jobs.evaluate;

import dev.unseg.pipeline.error.UserError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What the probe learns: {@code classes} (the dataset's categories, 0 = background),
 * {@code binary} (object vs background: the union of all segments) or {@code top:K} (the K classes
 * covering the most pixels of the training images, the others background). Of a protect run's dataset, only the
 * classes its {@code --select} put into the masks: the others are background, as they were to protect.
 */
public record LabelMode(String kind, int k) {
  public static LabelMode parse(String spec) {
    String s = spec.trim();
    if (s.equals("classes") || s.equals("binary")) {
      return new LabelMode(s, 0);
    }
    if (s.startsWith("top:")) {
      try {
        int k = Integer.parseInt(s.substring(4));
        if (k >= 1) {
          return new LabelMode("top", k);
        }
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw UserError.setting("unseg.evaluate.labels", spec, "classes, binary or top:K (K >= 1)", "--labels");
  }

  /**
   * What the probe learns, from the dataset's classes and their pixel counts in the training images.
   *
   * @param names the dataset's class names, background first
   * @param pixels pixels of each dataset class in the training images
   * @param selected the classes the protect run selected (its masks' classes), by class value: the others are
   *     background, as protect treated them
   */
  Classes classes(List<String> names, long[] pixels, boolean[] selected) {
    byte[] table = new byte[256];
    table[LabeledDataset.IGNORE] = (byte) LabeledDataset.IGNORE;
    List<String> kept = new ArrayList<>(List.of("background"));
    if (kind.equals("binary")) {
      kept.add("object");
      for (int c = 1; c < names.size(); c++) {
        table[c] = (byte) (selected[c] ? 1 : 0);
      }
      return new Classes(kept, table);
    }
    List<Integer> chosen = IntStream.range(1, names.size()).filter(c -> selected[c]).boxed().toList();
    if (kind.equals("top")) {
      chosen = chosen.stream().sorted(Comparator.comparingLong((Integer c) -> -pixels[c]).thenComparing(c -> c))
          .limit(k).sorted().toList();
    }
    for (int c : chosen) {
      table[c] = (byte) kept.size();
      kept.add(names.get(c));
    }
    return new Classes(kept, table);
  }

  /**
   * The probe's classes (background first) and the map from a dataset class (0..254, or the ignore
   * value) to one of them.
   */
  record Classes(List<String> names, byte[] table) {
    byte[] apply(byte[] label) {
      byte[] out = new byte[label.length];
      for (int i = 0; i < label.length; i++) {
        out[i] = table[label[i] & 255];
      }
      return out;
    }
  }

  @Override
  public String toString() {
    return kind.equals("top") ? "top:" + k : kind;
  }
}
