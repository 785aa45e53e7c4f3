package dev.unseg.jobs.evaluate;

/**
 * What the probe learns: {@code classes} (the dataset's categories, 0 = background),
 * {@code binary} (object vs background: the union of all segments) or {@code top:K} (the K classes
 * with the most annotations, the others background).
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
    throw new IllegalArgumentException("--labels '" + spec + "': expected classes, binary or top:K (K >= 1)");
  }

  @Override
  public String toString() {
    return kind.equals("top") ? "top:" + k : kind;
  }
}
