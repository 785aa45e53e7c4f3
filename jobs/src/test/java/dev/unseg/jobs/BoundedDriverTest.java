package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.ChildProcess;
import dev.unseg.jobs.testing.Cli;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset of 2,000 images (crops of the sample photos with random masks) through the real
 * launcher path in a separate JVM whose heap is small: the driver must not hold anything per image.
 */
class BoundedDriverTest {
  static final int IMAGES = 2000;

  @TempDir Path tmp;

  @Test
  void twoThousandImagesWithASmallDriverHeap() throws Exception {
    Path images = tmp.resolve("data/images");
    Path masks = tmp.resolve("data/masks");
    generate(images, masks);
    Path out = tmp.resolve("out");
    List<String> cmd = new ArrayList<>(ChildProcess.java("512m", System.getProperty("java.class.path"), "dev.unseg.jobs.cli.UnsegCli", "protect",
        "--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", out.toString(), "--key", "bounded", "--master", "local[2]",
        "--conf", "spark.ui.enabled=false", "--conf", "unseg.partitions.size=100",
        // A line a second: at the default 5 s a fast run printed one line between its start and end, which
        // could fall on a task's end (1100 of 2000 on a CI run) and so not show the per-image count.
        "--conf", "unseg.run.progress-interval=1s"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "the run did not finish in 15 minutes");
    String log = Files.readString(tmp.resolve("log.txt"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    assertTrue(Files.exists(out.resolve("_SUCCESS")), log);
    List<JsonNode> rows = Cli.inspectRows(out);
    assertEquals(IMAGES, rows.size());
    long protectedCount = rows.stream().filter(r -> r.get("status").asText().equals("protected")).count();
    long noMask = rows.stream().filter(r -> r.get("status").asText().equals("no_mask")).count();
    assertEquals(IMAGES, protectedCount + noMask, "no failures expected");
    assertTrue(noMask > 0 && protectedCount > noMask, "the generator makes some empty masks: " + noMask);
    assertTrue(log.contains("2000 images"), log);
    // Progress is counted per image (running tasks report with executor heartbeats), not per task of
    // 100 images, and a final line says where the run ended.
    List<Long> progress = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[unseg\\] (\\d+)/2000 images").matcher(log);
    while (m.find()) {
      progress.add(Long.parseLong(m.group(1)));
    }
    assertTrue(progress.stream().anyMatch(n -> n > 0 && n < IMAGES && n % 100 != 0),
        "a progress line between task ends: " + progress);
    assertEquals(IMAGES, progress.get(progress.size() - 1), "the last progress line: " + progress);
    System.out.println("BoundedDriverTest progress lines (every second): " + progress);
  }

  /** Crops of the sample photos, JPEG and PNG, 96..192 px, each with a random ellipse mask (1 in 20 empty). */
  static void generate(Path images, Path masks) throws Exception {
    Files.createDirectories(images.resolve("a"));
    Files.createDirectories(masks.resolve("a"));
    Path tiles = Cli.SAMPLES.resolve("tiles/images");
    BufferedImage[] photos = {ImageIO.read(tiles.resolve("rocket.jpg").toFile()), ImageIO.read(tiles.resolve("chelsea.png").toFile())};
    Random rnd = new Random(42);
    for (int i = 0; i < IMAGES; i++) {
      BufferedImage src = photos[i % 2];
      int w = 96 + rnd.nextInt(97);
      int h = 96 + rnd.nextInt(97);
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      Graphics2D g = img.createGraphics();
      int x0 = rnd.nextInt(src.getWidth() - w);
      int y0 = rnd.nextInt(src.getHeight() - h);
      g.drawImage(src.getSubimage(x0, y0, w, h), 0, 0, null);
      g.dispose();
      BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
      if (i % 20 != 0) {
        Graphics2D m = mask.createGraphics();
        m.setColor(java.awt.Color.WHITE);
        m.fillOval(rnd.nextInt(w / 2), rnd.nextInt(h / 2), w / 4 + rnd.nextInt(w / 2), h / 4 + rnd.nextInt(h / 2));
        m.dispose();
      }
      String dir = i % 3 == 0 ? "a/" : "";
      String stem = String.format("img_%05d", i);
      boolean jpeg = i % 2 == 0;
      ImageIO.write(img, jpeg ? "jpg" : "png", images.resolve(dir + stem + (jpeg ? ".jpg" : ".png")).toFile());
      ImageIO.write(mask, "png", masks.resolve(dir + stem + ".png").toFile());
    }
  }
}
