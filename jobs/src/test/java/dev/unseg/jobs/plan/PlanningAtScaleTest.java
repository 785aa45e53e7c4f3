package dev.unseg.jobs.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Planning at scale: a synthetic COCO instances index of 200,000 images (JSON only: planning never
 * reads pixels) is planned in a separate JVM with a 512 MiB heap, as protect's driver plans it
 * (embedded Spark, local[2]: driver and executors share that heap). The figures it prints
 * (planning time, peak heap) are the ones the README quotes.
 */
class PlanningAtScaleTest {
  static final int IMAGES = 200_000;
  static final String[] CATEGORIES = {"person", "car", "dog", "bicycle", "chair"};

  @TempDir Path tmp;

  @Test
  void twoHundredThousandImagesPlanWithA512MiBHeap() throws Exception {
    Path index = tmp.resolve("coco/annotations/instances_synthetic.json");
    Path images = Files.createDirectories(tmp.resolve("coco/images")); // never read: COCO plans from the JSON
    long genStart = System.nanoTime();
    long annotations = writeIndex(index, IMAGES, 42);
    System.out.printf("PlanningAtScaleTest: index of %d images, %d annotations, %.1f MB, written in %.1f s%n",
        IMAGES, annotations, Files.size(index) / 1e6, (System.nanoTime() - genStart) / 1e9);

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String opens = System.getProperty("unseg.test.add-opens", "");
    if (!opens.isBlank()) {
      cmd.addAll(Arrays.asList(opens.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"), PlanAtScaleMain.class.getName(),
        index.toString(), images.toString(), tmp.resolve("out").toString()));
    Path log = tmp.resolve("plan.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean ended = p.waitFor(5, TimeUnit.MINUTES);
    if (!ended) {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertTrue(ended, "planning did not end within 5 minutes:\n" + tail(out));
    assertEquals(0, p.exitValue(), tail(out));

    Map<String, String> figures = new HashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0 && line.substring(0, eq).matches("[a-z_]+")) {
        figures.put(line.substring(0, eq), line.substring(eq + 1).trim());
      }
    }
    System.out.println("PlanningAtScaleTest: " + figures);
    assertEquals(String.valueOf(IMAGES), figures.get("entries"), tail(out));
    assertEquals(String.valueOf(IMAGES), figures.get("tasks"), tail(out));
    long maxHeap = Long.parseLong(figures.get("max_heap_mib"));
    assertTrue(maxHeap <= 512, "the child JVM's heap is limited to 512 MiB: " + maxHeap);
    // The GC-logged peak: the most heap a collection left in use while planning.
    long peak = Long.parseLong(figures.get("peak_heap_mib"));
    assertTrue(peak > 0 && peak < 512, "peak heap " + peak + " MiB");
  }

  /**
   * A COCO instances JSON streamed out with Jackson: {@code images} of 640x480 JPEG names, one or two
   * polygon annotations per image (8 to 16 vertices, one in ten with two parts), five categories.
   *
   * @return the number of annotations written
   */
  static long writeIndex(Path file, int images, long seed) throws IOException {
    Files.createDirectories(file.getParent());
    Random rnd = new Random(seed);
    long annotationId = 1;
    try (JsonGenerator g = new JsonFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeObjectFieldStart("info");
      g.writeStringField("description", "synthetic index for PlanningAtScaleTest");
      g.writeEndObject();
      g.writeArrayFieldStart("categories");
      for (int c = 0; c < CATEGORIES.length; c++) {
        g.writeStartObject();
        g.writeNumberField("id", c + 1);
        g.writeStringField("name", CATEGORIES[c]);
        g.writeStringField("supercategory", "thing");
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("images");
      for (int i = 1; i <= images; i++) {
        g.writeStartObject();
        g.writeNumberField("id", i);
        g.writeStringField("file_name", String.format("%012d.jpg", i));
        g.writeNumberField("width", 640);
        g.writeNumberField("height", 480);
        g.writeNumberField("license", 1);
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeArrayFieldStart("annotations");
      for (int i = 1; i <= images; i++) {
        int count = 1 + rnd.nextInt(2);
        for (int a = 0; a < count; a++) {
          g.writeStartObject();
          g.writeNumberField("id", annotationId++);
          g.writeNumberField("image_id", i);
          g.writeNumberField("category_id", 1 + rnd.nextInt(CATEGORIES.length));
          g.writeNumberField("iscrowd", 0);
          double cx = 60 + rnd.nextDouble() * 520;
          double cy = 60 + rnd.nextDouble() * 360;
          double r = 10 + rnd.nextDouble() * 50;
          g.writeArrayFieldStart("segmentation");
          int parts = rnd.nextInt(10) == 0 ? 2 : 1;
          for (int part = 0; part < parts; part++) {
            g.writeStartArray();
            int vertices = 8 + rnd.nextInt(9);
            for (int v = 0; v < vertices; v++) {
              double angle = 2 * Math.PI * v / vertices;
              double rr = r * (0.7 + 0.3 * rnd.nextDouble()) / (part + 1);
              g.writeNumber(Math.round((cx + rr * Math.cos(angle)) * 100) / 100.0);
              g.writeNumber(Math.round((cy + rr * Math.sin(angle)) * 100) / 100.0);
            }
            g.writeEndArray();
          }
          g.writeEndArray();
          g.writeNumberField("area", Math.round(Math.PI * r * r * 100) / 100.0);
          g.writeArrayFieldStart("bbox");
          for (double d : new double[] {cx - r, cy - r, 2 * r, 2 * r}) {
            g.writeNumber(Math.round(d * 100) / 100.0);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    return annotationId - 1;
  }

  private static String tail(String s) {
    return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
  }
}
