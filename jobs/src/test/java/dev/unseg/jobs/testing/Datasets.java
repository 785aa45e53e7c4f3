package dev.unseg.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** Helpers of the robustness tests: a generated mask-pairs dataset, and output comparisons. */
public final class Datasets {
  /** Manifest columns that differ between runs by design (who ran it, when, how fast). */
  public static final Set<String> RUN_SPECIFIC = Set.of("run_id", "stage_id", "partition_id", "task_attempt",
      "prepare_ms", "generate_ms", "finish_ms", "finished_at");

  private Datasets() {}

  /** {@code count} crops of the sample photos (JPEG and PNG, some in a subfolder) with ellipse masks. */
  public static void dataset(Path root, int from, int count, int size) throws IOException {
    Path images = root.resolve("images");
    Path masks = root.resolve("masks");
    Files.createDirectories(images.resolve("sub"));
    Files.createDirectories(masks.resolve("sub"));
    Path tiles = Cli.SAMPLES.resolve("tiles/images");
    BufferedImage[] photos = {ImageIO.read(tiles.resolve("rocket.jpg").toFile()), ImageIO.read(tiles.resolve("chelsea.png").toFile())};
    for (int i = from; i < from + count; i++) {
      Random rnd = new Random(i);
      BufferedImage src = photos[i % 2];
      int w = size + rnd.nextInt(size / 2);
      int h = size + rnd.nextInt(size / 2);
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = img.createGraphics();
      g.drawImage(src.getSubimage(rnd.nextInt(src.getWidth() - w), rnd.nextInt(src.getHeight() - h), w, h), 0, 0, null);
      g.dispose();
      BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      Graphics2D m = mask.createGraphics();
      m.setColor(Color.WHITE);
      m.fillOval(rnd.nextInt(w / 2), rnd.nextInt(h / 2), w / 3 + rnd.nextInt(w / 3), h / 3 + rnd.nextInt(h / 3));
      m.dispose();
      String dir = i % 4 == 0 ? "sub/" : "";
      String stem = String.format("img_%04d", i);
      boolean jpeg = i % 2 == 0;
      ImageIO.write(img, jpeg ? "jpg" : "png", images.resolve(dir + stem + (jpeg ? ".jpg" : ".png")).toFile());
      ImageIO.write(mask, "png", masks.resolve(dir + stem + ".png").toFile());
    }
  }

  /** Edits a mask file of {@link #dataset}: the left half of its object is no longer annotated. */
  public static void eraseLeftHalf(Path mask, Path editedMask) throws IOException {
    BufferedImage m = ImageIO.read(mask.toFile());
    Graphics2D g = m.createGraphics();
    g.setColor(Color.BLACK);
    g.fillRect(0, 0, m.getWidth() / 2, m.getHeight());
    g.dispose();
    ImageIO.write(m, "png", editedMask.toFile());
  }

  public static String[] protectArgs(Path data, Path out, String... more) {
    return Stream.concat(Stream.of("--format", "mask-pairs", "--images", data.resolve("images").toString(),
        "--annotations", data.resolve("masks").toString(), "--output", out.toString(), "--write-masks"),
        Stream.of(more)).toArray(String[]::new);
  }

  /**
   * SHA-256 of every file of an output, by relative path, leaving out what is run-specific by
   * design: the manifest files, the summary, the per-task records, report.html (run id, times) and
   * _SUCCESS (its run id). The report's pictures are compared: they depend only on the manifest and images.
   */
  /** A file's SHA-256 for comparing outputs; the run spec names its output, so that key is left out of it. */
  public static String contentHash(String rel, byte[] content) throws Exception {
    if (rel.equals("_unseg/settings.json")) {
      ObjectNode spec = (ObjectNode) Cli.JSON.readTree(content);
      spec.remove("unseg.output.uri");
      content = Cli.JSON.writeValueAsBytes(spec);
    }
    return sha256(content);
  }

  public static Map<String, String> contentTree(Path out) throws Exception {
    Map<String, String> tree = new TreeMap<>();
    try (Stream<Path> files = Files.walk(out)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String rel = out.relativize(f).toString();
        if (rel.startsWith("_unseg/manifest") || rel.startsWith("_unseg/records") || rel.equals("_unseg/summary.json")
            || rel.equals("_unseg/report.html") || rel.equals("_SUCCESS")
            || f.getFileName().toString().startsWith(".")) { // .crc: checksums of those
          continue;
        }
        tree.put(rel, contentHash(rel, Files.readAllBytes(f)));
      }
    }
    return tree;
  }

  /** The manifest by input path, without the run-specific columns. */
  public static Map<String, String> stableManifest(Path out) throws Exception {
    List<JsonNode> rows = Cli.inspectRows(out);
    Map<String, String> m = new TreeMap<>();
    for (JsonNode row : rows) {
      ObjectNode o = row.deepCopy();
      o.remove(RUN_SPECIFIC);
      m.put(row.get("input_path").asText(), o.toString());
    }
    return m;
  }

  public static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
