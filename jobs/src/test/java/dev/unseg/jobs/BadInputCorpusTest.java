package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.Cli;
import java.awt.Graphics2D;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * Issue 6: a corpus of bad inputs, generated from a real sample photo. Every entry ends as a
 * manifest row with its status and error code (asserted per file), or, for a broken index, a
 * clear refusal at start; nothing crashes, nothing is skipped, nothing outside the roots is read.
 */
class BadInputCorpusTest {
  @TempDir Path tmp;

  /** One entry of the COCO corpus: its file_name, the JSON of its annotations, and the expected outcome. */
  record Case(String fileName, int width, int height, String annotations, String expected) {}

  @Test
  void cocoCorpusGivesOneRowWithItsCodePerEntry() throws Exception {
    Path root = tmp.resolve("coco");
    Path images = root.resolve("val2017");
    Files.createDirectories(images);
    BufferedImage photo = crop(ImageIO.read(Cli.SAMPLES.resolve("coco/val2017/000000142238.jpg").toFile()), 64, 48);
    byte[] jpeg = encode(photo, "jpg");
    byte[] png = encode(photo, "png");
    String poly = "[{\"segmentation\": [[8, 8, 40, 8, 40, 30, 8, 30]], \"category_id\": 1}]";

    List<Case> cases = new ArrayList<>();
    cases.add(write(images, "ok.jpg", jpeg, poly, "protected"));
    cases.add(write(images, "no annotations.jpg", jpeg, "[]", "no_mask"));
    cases.add(write(images, "truncated.jpg", Arrays.copyOf(jpeg, jpeg.length / 3), poly, "image_unreadable"));
    cases.add(write(images, "zero-bytes.jpg", new byte[0], poly, "image_unreadable"));
    cases.add(write(images, "text.png", "not an image at all\n".getBytes(StandardCharsets.UTF_8), poly, "image_unreadable"));
    cases.add(write(images, "png-named.jpg", png, poly, "protected")); // decoded by content, kept as PNG bytes
    cases.add(write(images, "jpeg-named.png", jpeg, poly, "protected"));
    cases.add(write(images, "cmyk.jpg", cmykJpeg(64, 48), poly, "protected"));
    cases.add(write(images, "gray16.png", encode(convert(photo, BufferedImage.TYPE_USHORT_GRAY), "png"), poly, "protected"));
    cases.add(write(images, "palette.png", encode(convert(photo, BufferedImage.TYPE_BYTE_INDEXED), "png"), poly, "protected"));
    cases.add(write(images, "huge.png", hugePngHeader(200_000, 200_000), poly, "image_too_large"));
    cases.add(write(images, "animated.gif", encode(convert(photo, BufferedImage.TYPE_BYTE_INDEXED), "gif"), poly, "image_unreadable"));
    cases.add(new Case("missing.jpg", 64, 48, poly, "image_missing"));
    write(images, "dup.jpg", jpeg, poly, "duplicate_image");
    cases.add(new Case("dup.jpg", 64, 48, poly, "duplicate_image"));
    cases.add(new Case("dup.jpg", 64, 48, poly, "duplicate_image"));
    Files.write(root.resolve("outside.jpg"), jpeg); // exists, but outside the images root
    cases.add(new Case("../outside.jpg", 64, 48, poly, "path_unsafe"));
    cases.add(new Case(images.resolve("ok.jpg").toAbsolutePath().toString(), 64, 48, poly, "path_unsafe"));
    cases.add(new Case("sub/../../outside.jpg", 64, 48, poly, "path_unsafe"));
    cases.add(write(images, "ünïcödé 名前.jpg", jpeg, poly, "protected"));
    cases.add(write(images, "with  spaces & #hash.jpg", jpeg, poly, "protected"));
    cases.add(write(images, "2020-01-01T10:00:00.jpg", jpeg, poly, "protected")); // a colon inside a name
    cases.add(new Case("C:x.jpg", 64, 48, poly, "path_unsafe")); // a Windows drive-relative path
    cases.add(write(images, "nan-polygon.jpg", jpeg, "[{\"segmentation\": [[8, 8, NaN, 8, 40, 30]], \"category_id\": 1}]",
        "polygon_invalid"));
    cases.add(write(images, "odd-coordinates.jpg", jpeg, "[{\"segmentation\": [[8, 8, 40, 8, 40]], \"category_id\": 1}]",
        "polygon_invalid"));
    // A two-point polygon has no area: like the COCO API, it covers no pixel (not an error).
    cases.add(write(images, "two-points.jpg", jpeg, "[{\"segmentation\": [[8, 8, 40, 8]], \"category_id\": 1}]",
        "no_mask"));
    cases.add(write(images, "rle-bad-sum.jpg", jpeg,
        "[{\"segmentation\": {\"size\": [48, 64], \"counts\": [100, 50, 7]}, \"category_id\": 1}]", "rle_invalid"));
    cases.add(write(images, "rle-wrong-size.jpg", jpeg,
        "[{\"segmentation\": {\"size\": [10, 10], \"counts\": [50, 50]}, \"category_id\": 1}]", "mask_size_mismatch"));
    cases.add(write(images, "unknown-category.jpg", jpeg, "[{\"segmentation\": [[8, 8, 40, 8, 40, 30]], \"category_id\": 9999}]",
        "class_out_of_range"));
    cases.add(writeSized(images, "index-says-other-size.jpg", jpeg, 100, 80, poly, "mask_size_mismatch"));
    cases.add(write(images, "blocked-output.jpg", jpeg, poly, "output_write_failed"));

    Path json = root.resolve("annotations/instances.json");
    Files.createDirectories(json.getParent());
    Files.writeString(json, cocoJson(cases), StandardCharsets.UTF_8);
    Path out = tmp.resolve("out");
    // A directory where an output image must go: that one image cannot be written.
    Files.createDirectories(out.resolve("val2017/blocked-output.jpg/in-the-way"));

    Cli.Run run = Cli.protect("--format", "coco", "--images", images.toString(),
        "--annotations", json.toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = Cli.inspectRowsAllowingDuplicates(out);
    Map<String, List<String>> actual = new TreeMap<>();
    for (JsonNode r : rows) {
      String outcome = r.get("status").asText().equals("failed") ? r.get("error_code").asText() : r.get("status").asText();
      actual.computeIfAbsent(r.get("input_path").asText(), k -> new ArrayList<>()).add(outcome);
      if (r.get("status").asText().equals("failed")) {
        assertFalse(r.get("error_message").asText().isBlank(), r.toString());
      }
    }
    Map<String, List<String>> expected = new TreeMap<>();
    for (Case c : cases) {
      expected.computeIfAbsent(c.fileName(), k -> new ArrayList<>()).add(c.expected());
    }
    assertEquals(expected, actual);
    assertTrue(cases.size() >= 25, "corpus size " + cases.size());
    assertTrue(Files.exists(out.resolve("_SUCCESS")), "failed images do not fail the run by default");
    // Nothing was written outside the output root, and the file outside the images root was not read into it.
    assertFalse(Files.exists(tmp.resolve("outside.jpg")));
    assertFalse(Files.exists(out.resolve("outside.jpg")));
    JsonNode summary = Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile());
    assertEquals(cases.size(), summary.get("manifest_rows").asInt());
    assertTrue(run.err().contains(summary.get("status").get("failed").asText() + " images failed ("), run.err());
    // The console line counts the failures by code, as the summary does.
    summary.get("errors").fields().forEachRemaining(e ->
        assertTrue(run.err().contains(e.getKey() + " " + e.getValue().asText()), e.getKey() + ": " + run.err()));
    // The summary's totals are those of the manifest's rows: per status, per error code, bytes.
    Map<String, Long> statuses = new TreeMap<>();
    Map<String, Long> errors = new TreeMap<>();
    long bytesIn = 0;
    long bytesOut = 0;
    for (JsonNode r : rows) {
      statuses.merge(r.get("status").asText(), 1L, Long::sum);
      if (!r.get("error_code").isNull()) {
        errors.merge(r.get("error_code").asText(), 1L, Long::sum);
      }
      bytesIn += r.get("input_bytes").asLong();
      bytesOut += r.get("output_bytes").asLong();
    }
    assertEquals(statuses, Cli.JSON.convertValue(summary.get("status"), new TypeReference<TreeMap<String, Long>>() {}));
    assertEquals(errors, Cli.JSON.convertValue(summary.get("errors"), new TypeReference<TreeMap<String, Long>>() {}));
    assertEquals(bytesIn, summary.get("bytes_in").asLong());
    assertEquals(bytesOut, summary.get("bytes_out").asLong());
    assertTrue(errors.size() >= 10 && bytesIn > 0 && bytesOut > 0, summary.toString());

    // verify agrees: every entry of the index has its row, every written image matches its row and bound.
    Cli.Run verify = Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals",
        images.toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, verify.code(), verify.out() + verify.err());

    // The same corpus with a failure limit: more than 10% failed, so the run stops: exit 1, no _SUCCESS.
    Path limited = tmp.resolve("limited");
    Cli.Run stop = Cli.protect("--format", "coco", "--images", images.toString(),
        "--annotations", json.toString(), "--output", limited.toString(), "--conf", "unseg.run.max-failed-fraction=0.1");
    assertEquals(1, stop.code(), stop.err());
    assertTrue(stop.err().contains("unseg.run.max-failed-fraction"), stop.err());
    assertFalse(Files.exists(limited.resolve("_SUCCESS")));
    JsonNode stopped = Cli.JSON.readTree(limited.resolve("_unseg/summary.json").toFile());
    assertFalse(stopped.get("success").asBoolean());
  }

  @Test
  void brokenIndexesAreRefusedAtStart() throws Exception {
    Path images = tmp.resolve("coco/val2017");
    Files.createDirectories(images);
    Path json = tmp.resolve("coco/annotations/broken.json");
    Files.createDirectories(json.getParent());
    Files.writeString(json, "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\", \"width\": 4, \"height\": 4},\n  {\"id\": 2,");
    Cli.Run truncated = Cli.protect("--format", "coco", "--images", images.toString(),
        "--annotations", json.toString(), "--output", tmp.resolve("out1").toString());
    assertEquals(2, truncated.code(), truncated.err());
    assertTrue(truncated.err().contains("broken.json"), truncated.err());

    Files.writeString(json, "[1, 2, 3]");
    Cli.Run notCoco = Cli.protect("--format", "coco", "--images", images.toString(),
        "--annotations", json.toString(), "--output", tmp.resolve("out2").toString());
    assertEquals(2, notCoco.code(), notCoco.err());
    assertTrue(notCoco.err().contains("broken.json"), notCoco.err());
    assertFalse(Files.exists(tmp.resolve("out2/_SUCCESS")));
  }

  @Test
  void maskPairsCorpus() throws Exception {
    Path images = tmp.resolve("tiles/images");
    Path masks = tmp.resolve("tiles/masks");
    Files.createDirectories(images);
    Files.createDirectories(masks);
    BufferedImage photo = crop(ImageIO.read(Cli.SAMPLES.resolve("tiles/images/chelsea.png").toFile()), 64, 48);
    byte[] png = encode(photo, "png");
    BufferedImage mask = new BufferedImage(64, 48, BufferedImage.TYPE_BYTE_GRAY);
    mask.getRaster().setSample(10, 10, 0, 255);
    Map<String, String> expected = new LinkedHashMap<>();
    Files.write(images.resolve("ok.png"), png);
    Files.write(masks.resolve("ok.png"), encode(mask, "png"));
    expected.put("ok.png", "protected");
    Files.write(images.resolve("no-mask-file.png"), png);
    expected.put("no-mask-file.png", "annotation_missing");
    Files.write(images.resolve("small-mask.png"), png);
    Files.write(masks.resolve("small-mask.png"), encode(crop(mask, 32, 24), "png"));
    expected.put("small-mask.png", "mask_size_mismatch");
    Files.write(images.resolve("corrupt-mask.png"), png);
    Files.write(masks.resolve("corrupt-mask.png"), Arrays.copyOf(encode(mask, "png"), 20));
    expected.put("corrupt-mask.png", "annotation_invalid");
    Files.write(images.resolve("picture.bmp"), encode(photo, "bmp"));
    expected.put("picture.bmp", "image_unsupported");
    Files.write(images.resolve("empty.png"), new byte[0]);
    Files.write(masks.resolve("empty.png"), encode(mask, "png"));
    expected.put("empty.png", "image_unreadable");

    Path out = tmp.resolve("out");
    Cli.Run run = Cli.protect("--format", "mask-pairs", "--images", images.toString(),
        "--annotations", masks.toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    Map<String, String> actual = new LinkedHashMap<>();
    for (JsonNode r : Cli.inspectRows(out)) {
      actual.put(r.get("input_path").asText(),
          r.get("status").asText().equals("failed") ? r.get("error_code").asText() : r.get("status").asText());
    }
    assertEquals(new TreeMap<>(expected), new TreeMap<>(actual));
  }

  @Test
  void failureLimitStopsTheRunEarlyAndResumeFinishesIt() throws Exception {
    Path images = tmp.resolve("bad/images");
    Path masks = tmp.resolve("bad/masks");
    Files.createDirectories(images);
    Files.createDirectories(masks);
    int n = 200;
    for (int i = 0; i < n; i++) {
      Files.write(images.resolve(String.format("b%03d.png", i)), new byte[0]);
      Files.write(masks.resolve(String.format("b%03d.png", i)), new byte[0]); // present, so the start checks pass
    }
    Path out = tmp.resolve("out");
    String[] args = {"--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", out.toString(), "--master", "local[1]", "--conf", "unseg.partitions.size=1"};
    Cli.Run stop = Cli.protect(concat(args, "--conf", "unseg.run.max-failed-fraction=0"));
    assertEquals(1, stop.code(), stop.err());
    assertTrue(stop.err().contains("unseg.run.max-failed-fraction"), stop.err());
    assertFalse(Files.exists(out.resolve("_SUCCESS")));
    long rows = Cli.inspectRows(out).size();
    assertTrue(rows >= 1 && rows < n, "cancelled before the rest were tried: " + rows + " rows");

    // Every image still gets its row: --resume with the default limit finishes the run.
    Cli.Run resumed = Cli.protect(concat(args, "--resume"));
    assertEquals(0, resumed.code(), resumed.err());
    List<JsonNode> all = Cli.inspectRows(out);
    assertEquals(n, all.size());
    assertTrue(all.stream().allMatch(r -> r.get("error_code").asText().equals("image_unreadable")));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  // ---- corpus builders ----

  private static Case write(Path dir, String name, byte[] data, String annotations, String expected) throws Exception {
    return writeSized(dir, name, data, 64, 48, annotations, expected);
  }

  private static Case writeSized(Path dir, String name, byte[] data, int w, int h, String annotations, String expected)
      throws Exception {
    Files.write(dir.resolve(name), data);
    return new Case(name, w, h, annotations, expected);
  }

  /** A COCO instances JSON, written by hand: Python's json writes NaN literals, and so do we. */
  private static String cocoJson(List<Case> cases) {
    StringBuilder images = new StringBuilder();
    StringBuilder anns = new StringBuilder();
    int annId = 1;
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      images.append(i == 0 ? "" : ",\n").append(String.format("{\"id\": %d, \"file_name\": %s, \"width\": %d, \"height\": %d}",
          i + 1, quote(c.fileName()), c.width(), c.height()));
      String list = c.annotations().trim();
      for (String a : list.substring(1, list.length() - 1).split("(?<=\\}),\\s*(?=\\{)")) {
        if (a.isBlank()) {
          continue;
        }
        String body = a.trim().substring(1);
        anns.append(anns.length() == 0 ? "" : ",\n")
            .append(String.format("{\"id\": %d, \"image_id\": %d, \"iscrowd\": 0, ", annId++, i + 1)).append(body);
      }
    }
    return "{\"images\": [" + images + "],\n\"annotations\": [" + anns + "],\n"
        + "\"categories\": [{\"id\": 1, \"name\": \"person\", \"supercategory\": \"person\"}]}";
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  static BufferedImage crop(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, src.getType() == 0 ? BufferedImage.TYPE_3BYTE_BGR : src.getType());
    Graphics2D g = out.createGraphics();
    g.drawImage(src.getSubimage(0, 0, w, h), 0, 0, null);
    g.dispose();
    return out;
  }

  static BufferedImage convert(BufferedImage src, int type) {
    BufferedImage out = new BufferedImage(src.getWidth(), src.getHeight(), type);
    Graphics2D g = out.createGraphics();
    g.drawImage(src, 0, 0, null);
    g.dispose();
    return out;
  }

  static byte[] encode(BufferedImage img, String format) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(img, format, bytes), format);
    return bytes.toByteArray();
  }

  /** A PNG signature and a valid IHDR declaring w x h, then nothing: a decompression bomb's header. */
  static byte[] hugePngHeader(int w, int h) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    DataOutputStream c = new DataOutputStream(chunk);
    c.writeBytes("IHDR");
    c.writeInt(w);
    c.writeInt(h);
    c.write(new byte[] {8, 2, 0, 0, 0});
    out.writeInt(13);
    out.write(chunk.toByteArray());
    CRC32 crc = new CRC32();
    crc.update(chunk.toByteArray());
    out.writeInt((int) crc.getValue());
    return bytes.toByteArray();
  }

  /** A 4-band CMYK JPEG (Adobe APP14 transform 0), as Photoshop writes them. */
  static byte[] cmykJpeg(int w, int h) throws Exception {
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        raster.setSample(x, y, 0, (x * 4) & 0xFF);
        raster.setSample(x, y, 1, (y * 5) & 0xFF);
        raster.setSample(x, y, 2, 200);
        raster.setSample(x, y, 3, 255);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try {
      ComponentColorModel cm = new ComponentColorModel(cmykSpace(), false, false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
      IIOMetadata metadata = writer.getDefaultImageMetadata(new ImageTypeSpecifier(cm, raster.getSampleModel()), null);
      String format = "javax_imageio_jpeg_image_1.0";
      Element root = (Element) metadata.getAsTree(format);
      ((Element) root.getElementsByTagName("app14Adobe").item(0)).setAttribute("transform", "0");
      metadata.setFromTree(format, root);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.write(null, new IIOImage(raster, null, metadata), null);
      }
      return bytes.toByteArray();
    } finally {
      writer.dispose();
    }
  }

  private static ColorSpace cmykSpace() throws Exception {
    Class<?> spaces = Class.forName("com.twelvemonkeys.imageio.color.ColorSpaces");
    int generic = spaces.getField("CS_GENERIC_CMYK").getInt(null);
    return (ColorSpace) spaces.getMethod("getColorSpace", int.class).invoke(null, generic);
  }
}
