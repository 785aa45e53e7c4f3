package dev.unseg.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.unseg.jobs.testing.CityscapesLayout;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.jobs.testing.Datasets;
import dev.unseg.jobs.testing.VocLayout;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Cli.protect job end to end on the real sample datasets shipped in samples/, through the same
 * entry point as bin/unseg, on embedded Spark with local files.
 */
class ProtectJobTest {

  @TempDir Path tmp;

  @Test
  void cocoInstancesSample() throws Exception {
    Path out = tmp.resolve("coco-out");
    Cli.Run run = Cli.protect("--format", "coco", "--images", Cli.SAMPLES.resolve("coco/val2017").toString(),
        "--annotations", Cli.SAMPLES.resolve("coco/annotations/instances_sample.json").toString(),
        "--output", out.toString(), "--output-format", "png", "--write-masks");
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = run.inspectRows(out);
    assertEquals(2, rows.size());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      assertTrue(row.get("mask_pixels").asLong() > 0);
    }
    // PNG output: the bound holds exactly against the mask the noise was weighted with.
    checkBounds(Cli.SAMPLES.resolve("coco/val2017"), out.resolve("val2017"), out.resolve("_unseg/masks"), rows, 8, 2);
    assertSameBytes(Cli.SAMPLES.resolve("coco/annotations/instances_sample.json"), out.resolve("annotations/instances_sample.json"));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  /**
   * {@code --select} by class names is the selection by their ids: the same settings recorded, the same masks and
   * bytes written; and it selects (less than the union of every class). A name in ADE20K's list takes its label value.
   */
  @Test
  void selectionByClassNamesIsTheSelectionByTheirIds() throws Exception {
    // mask_pixels by image, per selection
    Map<String, Map<String, Long>> maskPixels = new HashMap<>();
    for (String select : List.of("classes:Person, dog", "classes:1,18", "all")) {
      Path out = tmp.resolve("select-" + maskPixels.size());
      Cli.Run run = Cli.protect("--format", "coco", "--images", Cli.SAMPLES.resolve("coco/val2017").toString(),
          "--annotations", Cli.SAMPLES.resolve("coco/annotations/instances_sample.json").toString(),
          "--output", out.toString(), "--select", select, "--key", "select-key");
      assertEquals(0, run.code(), run.err());
      Map<String, Long> pixels = new HashMap<>();
      run.inspectRows(out).forEach(r -> pixels.put(r.get("input_path").asText(), r.get("mask_pixels").asLong()));
      maskPixels.put(select, pixels);
    }
    Path byName = tmp.resolve("select-0");
    Path byId = tmp.resolve("select-1");
    assertEquals(Cli.JSON.readTree(byId.resolve("_unseg/settings.json").toFile()).get("unseg.input.selection"),
        Cli.JSON.readTree(byName.resolve("_unseg/settings.json").toFile()).get("unseg.input.selection"));
    assertEquals(maskPixels.get("classes:1,18"), maskPixels.get("classes:Person, dog"));
    for (String image : List.of("000000142238.jpg", "000000439180.jpg")) {
      assertTrue(maskPixels.get("classes:Person, dog").get(image) < maskPixels.get("all").get(image), image);
      assertSameBytes(byId.resolve("val2017").resolve(image), byName.resolve("val2017").resolve(image));
    }

    Path ade = tmp.resolve("select-ade");
    Cli.Run run = Cli.protect("--format", "ade20k", "--images", Cli.SAMPLES.resolve("ade20k/images").toString(),
        "--annotations", Cli.SAMPLES.resolve("ade20k/annotations").toString(), "--output", ade.toString(),
        "--select", "classes:wall,PERSON");
    assertEquals(0, run.code(), run.err());
    assertEquals("classes:1,13",
        Cli.JSON.readTree(ade.resolve("_unseg/settings.json").toFile()).get("unseg.input.selection").asText());
  }

  /**
   * Mask pairs whose masks hold several values, as Oxford-IIIT Pet's trimaps do (1 pet, 2 background, 3 border):
   * every pixel is nonzero, so by default the whole image is the mask; {@code --select class:1} makes the pet the
   * mask, and evaluate's object is the same.
   */
  @Test
  void trimapMasksSelectTheirObjectValue() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("pets/images"));
    Path trimaps = Files.createDirectories(tmp.resolve("pets/trimaps"));
    Path photo = Cli.SAMPLES.resolve("coco/val2017/000000142238.jpg");
    Files.copy(photo, images.resolve("pet.jpg"));
    BufferedImage p = ImageIO.read(photo.toFile());
    BufferedImage trimap = new BufferedImage(p.getWidth(), p.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    long pet = 0;
    for (int y = 0; y < p.getHeight(); y++) {
      for (int x = 0; x < p.getWidth(); x++) {
        int v = x > 100 && x < 300 && y > 50 && y < 250 ? 1 : x > 95 && x < 305 && y > 45 && y < 255 ? 3 : 2;
        trimap.getRaster().setSample(x, y, 0, v);
        pet += v == 1 ? 1 : 0;
      }
    }
    ImageIO.write(trimap, "png", trimaps.resolve("pet.png").toFile());
    Path out = tmp.resolve("pets-out");
    Cli.Run run = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", trimaps.toString(),
        "--output", out.toString(), "--select", "class:1");
    assertEquals(0, run.code(), run.err());
    assertEquals(pet, run.inspectRows(out).get(0).get("mask_pixels").asLong());
    dev.unseg.jobs.evaluate.LabeledDataset labels = dev.unseg.jobs.evaluate.LabeledDataset.open(
        new dev.unseg.jobs.evaluate.DatasetSource(dev.unseg.pipeline.dataset.DatasetFormat.MASK_PAIRS, images.toString(),
            trimaps.toString(), "{dir}{stem}.png", "", "", dev.unseg.pipeline.dataset.Selection.parse("class:1")),
        new org.apache.hadoop.conf.Configuration(), 1, 1);
    long object = 0;
    for (byte b : labels.label("pet.jpg", p.getWidth(), p.getHeight())) {
      object += b;
    }
    assertEquals(pet, object, "evaluate's object is protect's mask");
  }

  /**
   * An LVIS index (COCO's format, its images named by their COCO URL only, from both of COCO's folders): each image
   * is read at its URL's folder and file under --images, the folder that holds COCO's train2017/ and val2017/.
   */
  @Test
  void lvisIndexNamesItsImagesByTheirCocoUrl() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode lvis = (com.fasterxml.jackson.databind.node.ObjectNode)
        Cli.JSON.readTree(Cli.SAMPLES.resolve("coco/annotations/instances_sample.json").toFile());
    for (JsonNode image : lvis.get("images")) {
      ((com.fasterxml.jackson.databind.node.ObjectNode) image).put("coco_url",
          "http://images.cocodataset.org/val2017/" + image.get("file_name").asText());
      ((com.fasterxml.jackson.databind.node.ObjectNode) image).remove("file_name");
    }
    Path index = Files.createDirectories(tmp.resolve("lvis")).resolve("lvis_v1_val.json");
    Cli.JSON.writeValue(index.toFile(), lvis);
    Path out = tmp.resolve("lvis-out");
    Cli.Run run = Cli.protect("--format", "coco", "--images", Cli.SAMPLES.resolve("coco").toString(),
        "--annotations", index.toString(), "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    Map<String, String> status = new HashMap<>();
    run.inspectRows(out).forEach(r -> status.put(r.get("input_path").asText(), r.get("status").asText()));
    assertEquals(Map.of("val2017/000000142238.jpg", "protected", "val2017/000000439180.jpg", "protected"), status);
  }

  @Test
  void cocoPanopticSampleKeepsJpeg() throws Exception {
    Path out = tmp.resolve("panoptic-out");
    Cli.Run run = Cli.protect("--format", "coco-panoptic", "--images", Cli.SAMPLES.resolve("coco/val2017").toString(),
        "--annotations", Cli.SAMPLES.resolve("coco/annotations/panoptic_sample.json").toString(),
        "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = run.inspectRows(out);
    assertEquals(2, rows.size());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      String name = row.get("input_path").asText();
      assertEquals(name, row.get("output_path").asText(), "same name and format");
      BufferedImage img = ImageIO.read(out.resolve("val2017").resolve(name).toFile());
      assertEquals(row.get("width").asInt(), img.getWidth());
      // JPEG re-encoding breaks the exact bound; the manifest records what survived.
      assertTrue(row.get("psnr_inside").asDouble() > 30, row.toString());
    }
    assertSameBytes(Cli.SAMPLES.resolve("coco/annotations/panoptic_sample.json"), out.resolve("annotations/panoptic_sample.json"));
    try (Stream<Path> pngs = Files.list(Cli.SAMPLES.resolve("coco/annotations/panoptic_sample"))) {
      for (Path png : pngs.toList()) {
        assertSameBytes(png, out.resolve("annotations/panoptic_sample").resolve(png.getFileName()));
      }
    }
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void ade20kSampleWithMasksWritten() throws Exception {
    Path out = tmp.resolve("ade-out");
    Cli.Run run = Cli.protect("--format", "ade20k", "--images", Cli.SAMPLES.resolve("ade20k/images").toString(),
        "--annotations", Cli.SAMPLES.resolve("ade20k/annotations").toString(),
        "--output", out.toString(), "--output-format", "png", "--write-masks", "--eps", "6", "--eps-bg", "1");
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = run.inspectRows(out);
    assertEquals(3, rows.size());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      assertTrue(row.get("input_path").asText().startsWith("validation/"));
      assertSameBytes(Cli.SAMPLES.resolve("ade20k/annotations").resolve(row.get("input_path").asText().replace(".jpg", ".png")),
          out.resolve("annotations").resolve(row.get("input_path").asText().replace(".jpg", ".png")));
    }
    checkBounds(Cli.SAMPLES.resolve("ade20k/images"), out.resolve("images"), out.resolve("_unseg/masks"), rows, 6, 1);
    JsonNode summary = Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile());
    assertEquals(3, summary.get("status").get("protected").asLong());
    assertEquals(6.0, summary.get("eps").asDouble());
  }

  /**
   * A Cityscapes layout as the dataset ships it (splits, cities, gtFine's four files a frame), its
   * frames cut from a sample photo: the mask is the labels evaluated, the release holds every gtFine
   * file of the frames, and the unlabelled test split is written unchanged.
   */
  @Test
  void cityscapesLayoutReleasesEveryGtFineFile() throws Exception {
    Path root = tmp.resolve("cityscapes");
    Set<String> expected = new java.util.HashSet<>(CityscapesLayout.write(root,
        List.of("train/aachen/aachen_000000_000019", "val/lindau/lindau_000001_000019", "test/berlin/berlin_000002_000019")));
    expected.add("_SUCCESS");
    Path out = tmp.resolve("cityscapes-out");
    Cli.Run run = Cli.protect("--format", "cityscapes", "--images", root.resolve("leftImg8bit").toString(),
        "--annotations", root.resolve("gtFine").toString(), "--output", out.toString(), "--write-masks");
    assertEquals(0, run.code(), run.err());
    Map<String, JsonNode> byPath = new HashMap<>();
    run.inspectRows(out).forEach(r -> byPath.put(r.get("input_path").asText(), r));
    assertEquals(3, byPath.size());
    JsonNode test = byPath.get("test/berlin/berlin_000002_000019_leftImg8bit.png");
    assertEquals("no_mask", test.get("status").asText(), test.toString());
    assertSameBytes(root.resolve("leftImg8bit/test/berlin/berlin_000002_000019_leftImg8bit.png"),
        out.resolve("leftImg8bit/test/berlin/berlin_000002_000019_leftImg8bit.png"));
    List<JsonNode> labelled = List.of(byPath.get("train/aachen/aachen_000000_000019_leftImg8bit.png"),
        byPath.get("val/lindau/lindau_000001_000019_leftImg8bit.png"));
    for (JsonNode row : labelled) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      assertEquals(96 * 40 - 6 * 10, row.get("mask_pixels").asLong(), "every label but ego vehicle and licence plate: " + row);
    }
    checkBounds(root.resolve("leftImg8bit"), out.resolve("leftImg8bit"), out.resolve("_unseg/masks"), labelled, 8, 2);
    assertEquals(expected, releasedFiles(out));
    for (String file : expected) {
      if (file.startsWith("gtFine/")) {
        assertSameBytes(root.resolve(file), out.resolve(file));
      }
    }
  }

  /**
   * VOC's JPEGImages holds more photos than its segmentation set: given all of them, the others fail as
   * annotation_missing and the console says so by code and names the image list; given the list, the
   * segmentation set alone is released, with its label PNGs and the list.
   */
  @Test
  void vocLayoutReleasesTheSegmentationSetGivenItsImageList() throws Exception {
    Path root = tmp.resolve("VOCdevkit");
    List<String> names = List.of("2008_000001", "2008_000002", "2008_000003", "2008_000004");
    List<String> segmented = List.of("2008_000002", "2008_000004");
    VocLayout.write(root, names, segmented);
    Path voc = root.resolve("VOC2012");
    Path all = tmp.resolve("voc-all");
    Cli.Run everything = Cli.protect("--format", "voc", "--images", voc.resolve("JPEGImages").toString(),
        "--annotations", voc.resolve("SegmentationClass").toString(), "--output", all.toString());
    assertEquals(0, everything.code(), everything.err());
    Map<String, String> status = new HashMap<>();
    everything.inspectRows(all).forEach(r -> status.put(r.get("input_path").asText(), r.get("status").asText()
        + (r.get("error_code").isNull() ? "" : " " + r.get("error_code").asText())));
    assertEquals(Map.of("2008_000001.jpg", "failed annotation_missing", "2008_000002.jpg", "protected",
        "2008_000003.jpg", "failed annotation_missing", "2008_000004.jpg", "protected"), status);
    assertTrue(everything.err().contains("2 images failed (annotation_missing 2); their manifest rows say why (unseg inspect file:"
        + all + "/ --status failed)")
        && everything.err().contains("--image-list VOC2012/ImageSets/Segmentation/trainval.txt"), everything.err());
    // The command it names prints those rows alone; a status that is none is refused.
    Cli.Run failedRows = Cli.runCli(new String[] {"inspect", all.toString(), "--status", "failed"});
    assertEquals(0, failedRows.code(), failedRows.err());
    assertEquals(List.of("2008_000001.jpg", "2008_000003.jpg"), failedRows.out().lines().filter(l -> l.startsWith("{\"run_id\""))
        .map(l -> l.replaceAll(".*\"input_path\":\"([^\"]+)\".*", "$1")).sorted().toList());
    Cli.Run noSuchStatus = Cli.runCli(new String[] {"inspect", all.toString(), "--status", "fail"});
    assertEquals(2, noSuchStatus.code());
    assertTrue(noSuchStatus.err().contains("unseg.inspect.status = 'fail' is not valid: it accepts failed, no_mask or protected"
        + " (flag --status)"), noSuchStatus.err());

    Path out = tmp.resolve("voc-out");
    Cli.Run listed = Cli.protect("--format", "voc", "--images", voc.resolve("JPEGImages").toString(),
        "--annotations", voc.resolve("SegmentationClass").toString(), "--output", out.toString(),
        "--image-list", voc.resolve("ImageSets/Segmentation/trainval.txt").toString(), "--write-masks");
    assertEquals(0, listed.code(), listed.err());
    assertTrue(!listed.err().contains("failed") && !listed.err().contains("--image-list"), listed.err());
    List<JsonNode> rows = listed.inspectRows(out);
    assertEquals(2, rows.size());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
      assertEquals(VocLayout.PERSON_PIXELS, row.get("mask_pixels").asLong(), "the person, not its void outline: " + row);
    }
    assertEquals(Set.of("_SUCCESS", "JPEGImages/2008_000002.jpg", "JPEGImages/2008_000004.jpg",
        "SegmentationClass/2008_000002.png", "SegmentationClass/2008_000004.png", "ImageSets/Segmentation/trainval.txt"),
        releasedFiles(out));
    for (String name : segmented) {
      assertSameBytes(voc.resolve("SegmentationClass/" + name + ".png"), out.resolve("SegmentationClass/" + name + ".png"));
    }
  }

  /**
   * Symbolic links, as a dataset built of links has them: the images folder given as a link, a split folder
   * and a file linked to a pool elsewhere, a link to nothing and a link back up the tree. Each image is
   * read through its link and gets its row; the dangling one fails as missing; the loop is walked once.
   */
  @Test
  void symbolicLinksAreFollowedAndEveryLinkedImageAccountedFor() throws Exception {
    Path pool = tmp.resolve("pool");
    Datasets.dataset(pool, 0, 6, 48);
    Map<String, String> poolBefore = Datasets.contentTree(pool);
    Path images = Files.createDirectories(tmp.resolve("ds/images"));
    Path masks = Files.createDirectories(tmp.resolve("ds/masks"));
    Files.createSymbolicLink(images.resolve("split"), pool.resolve("images"));
    Files.createSymbolicLink(masks.resolve("split"), pool.resolve("masks"));
    Files.createSymbolicLink(images.resolve("one.png"), pool.resolve("images/img_0001.png"));
    Files.copy(pool.resolve("masks/img_0001.png"), masks.resolve("one.png"));
    Files.createSymbolicLink(images.resolve("gone.jpg"), tmp.resolve("nowhere.jpg"));
    Files.copy(pool.resolve("masks/img_0003.png"), masks.resolve("gone.png"));
    Files.createSymbolicLink(pool.resolve("images/back"), images);
    Path given = Files.createSymbolicLink(tmp.resolve("images-link"), images);

    Path out = tmp.resolve("links-out");
    Cli.Run run = Cli.protect("--format", "mask-pairs", "--images", given.toString(), "--annotations", masks.toString(),
        "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    Map<String, String> status = new HashMap<>();
    run.inspectRows(out).forEach(r -> status.put(r.get("input_path").asText(), r.get("status").asText()
        + (r.get("error_code").isNull() ? "" : " " + r.get("error_code").asText())));
    Map<String, String> expected = new HashMap<>(Map.of("one.png", "protected", "gone.jpg", "failed image_missing"));
    for (int i = 0; i < 6; i++) {
      expected.put("split/" + (i % 4 == 0 ? "sub/" : "") + String.format("img_%04d", i) + (i % 2 == 0 ? ".jpg" : ".png"),
          "protected");
    }
    assertEquals(expected, status);
    assertTrue(Files.isRegularFile(out.resolve("images-link/split/img_0001.png"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
        "the release holds files, not links: " + releasedFiles(out));
    assertEquals(poolBefore, Datasets.contentTree(pool), "the linked originals were only read");
    assertEquals(0, Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals", given.toString()}).code());
  }

  @Test
  void maskPairsSampleIncludingGeoTiff() throws Exception {
    Path out = tmp.resolve("tiles-out");
    Cli.Run run = Cli.protect("--format", "mask-pairs", "--images", Cli.SAMPLES.resolve("tiles/images").toString(),
        "--annotations", Cli.SAMPLES.resolve("tiles/masks").toString(), "--output", out.toString(), "--write-masks");
    assertEquals(0, run.code(), run.err());
    List<JsonNode> rows = run.inspectRows(out);
    assertEquals(3, rows.size());
    Map<String, JsonNode> byPath = new HashMap<>();
    rows.forEach(r -> byPath.put(r.get("input_path").asText(), r));
    assertEquals(Set.of("rocket.jpg", "chelsea.png", "L7_ETMs.tif"), byPath.keySet());
    for (JsonNode row : rows) {
      assertEquals("protected", row.get("status").asText(), row.toString());
    }
    // Lossless formats keep the exact bound: PNG and the GeoTIFF.
    List<JsonNode> lossless = List.of(byPath.get("chelsea.png"), byPath.get("L7_ETMs.tif"));
    checkBounds(Cli.SAMPLES.resolve("tiles/images"), out.resolve("images"), out.resolve("_unseg/masks"), lossless, 8, 2);
    assertEquals("tiff", byPath.get("L7_ETMs.tif").get("format").asText());
    assertTrue(Files.exists(out.resolve("images/L7_ETMs.tif")));
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    // What gets released is the dataset and nothing else: no hidden .crc files of Hadoop's local file system.
    assertEquals(Set.of("_SUCCESS", "images/rocket.jpg", "images/chelsea.png", "images/L7_ETMs.tif",
        "masks/rocket.png", "masks/chelsea.png", "masks/L7_ETMs.png"), releasedFiles(out));
    try (Stream<Path> audit = Files.walk(out.resolve("_unseg"))) {
      assertEquals(List.of(), audit.map(Path::toString).filter(f -> f.endsWith(".crc")).toList());
    }
  }

  /**
   * An 11-bit RGB + near-infrared tile (SpaceNet's kind: 16-bit samples that stop at 2047), protected with
   * {@code --conf unseg.input.sample-bits=11}: its samples move by at most eps x 8 inside the mask and eps_bg x 8
   * outside, in the tile's own units, band 4 not at all, and verify checks the bound through the same bits.
   * Before, such a tile failed to encode, and at the default 16 bits its samples would move by up to 2048, the
   * data's whole range. A resume at other bits is refused: they decide the output's bytes.
   */
  @Test
  void elevenBitTileMovesByItsOwnBits() throws Exception {
    Path images = tileWithMask("spacenet", "rgbn_u16_11bit.tif", "tile", 0, 0, 30, 20);
    Path masks = tmp.resolve("spacenet/masks");
    Path out = tmp.resolve("spacenet-out");
    String[] args = {"--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", out.toString(), "--conf", "unseg.input.sample-bits=11"};
    Cli.Run run = Cli.protect(args);
    assertEquals(0, run.code(), run.err());
    assertEquals("protected", run.inspectRows(out).get(0).get("status").asText());
    assertTrue(!(run.out() + run.err()).contains("unseg: note:"), run.err());
    Raster before = ImageIO.read(images.resolve("tile.tif").toFile()).getRaster();
    Raster after = ImageIO.read(out.resolve("images/tile.tif").toFile()).getRaster();
    int[] largest = new int[4];
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        for (int b = 0; b < 4; b++) {
          int change = Math.abs(after.getSample(x, y, b) - before.getSample(x, y, b));
          boolean inside = x < 30 && y < 20;
          assertTrue(change <= (inside ? 8 * 8 : 2 * 8), "band " + (b + 1) + " at " + x + "," + y + ": " + change);
          largest[b] = Math.max(largest[b], change);
        }
      }
    }
    assertEquals(0, largest[3], "band 4 is not protected");
    assertTrue(largest[0] > 16 && largest[1] > 16 && largest[2] > 16, Arrays.toString(largest));
    Cli.Run verify = Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals", images.toString(),
        "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, verify.code(), verify.out() + verify.err());

    Cli.Run resumed = Cli.protect(Stream.concat(Stream.of(args).limit(6), Stream.of("--output", out.toString(),
        "--resume")).toArray(String[]::new));
    assertEquals(2, resumed.code(), resumed.err());
    assertTrue(resumed.err().contains("unseg.input.sample-bits"), resumed.err());

    // At the default 16 bits the run says, before it starts, which bits the data holds and what to give.
    Cli.Run sixteen = Cli.protect(Stream.concat(Stream.of(args).limit(6), Stream.of("--output",
        tmp.resolve("spacenet-16").toString())).toArray(String[]::new));
    assertEquals(0, sixteen.code(), sixteen.err());
    String console = sixteen.out() + sixteen.err();
    assertTrue(console.contains("samples use 11 bits (all below 2048), but unseg.input.sample-bits = 16: its samples"
        + " will move by up to 2048 (eps x 256), 100% of its data's range")
        && console.contains("--conf unseg.input.sample-bits=11"), console);
  }

  /**
   * The classes design on ADE20K's label maps (dense: the mask is nearly the whole image): the pixels of each class
   * move by its own colour, 8 grey levels up or down per channel (or 0), and the large classes all differ, where the
   * shift design moves them all alike. The console's dense-mask note is for the designs that need a background.
   */
  @Test
  void classesDesignColoursEachClassOfADenseLabelMap() throws Exception {
    Path ade = Cli.SAMPLES.resolve("ade20k");
    Path out = tmp.resolve("ade-classes");
    Cli.Run run = Cli.protect("--format", "ade20k", "--images", ade.resolve("images").toString(), "--annotations",
        ade.resolve("annotations").toString(), "--output", out.toString(), "--output-format", "png",
        "--conf", "unseg.generator.synthetic.design=classes");
    assertEquals(0, run.code(), run.err());
    assertFalse(run.err().contains("cover 90% or more"), run.err());
    String name = "validation/ADE_val_00000001";
    Raster before = ImageIO.read(ade.resolve("images/" + name + ".jpg").toFile()).getRaster();
    Raster after = ImageIO.read(out.resolve("images/" + name + ".png").toFile()).getRaster();
    Raster labels = ImageIO.read(ade.resolve("annotations/" + name + ".png").toFile()).getRaster();
    Map<Integer, Map<String, Integer>> changes = new HashMap<>();
    for (int y = 0; y < before.getHeight(); y++) {
      for (int x = 0; x < before.getWidth(); x++) {
        String change = (after.getSample(x, y, 0) - before.getSample(x, y, 0)) + "," + (after.getSample(x, y, 1)
            - before.getSample(x, y, 1)) + "," + (after.getSample(x, y, 2) - before.getSample(x, y, 2));
        changes.computeIfAbsent(labels.getSample(x, y, 0), k -> new HashMap<>()).merge(change, 1, Integer::sum);
      }
    }
    Set<String> colours = new java.util.HashSet<>();
    int large = 0;
    for (Map.Entry<Integer, Map<String, Integer>> label : changes.entrySet()) {
      int pixels = label.getValue().values().stream().mapToInt(Integer::intValue).sum();
      if (label.getKey() == 0 || pixels < 5000) {
        continue;
      }
      large++;
      // Most of a large class's pixels (those away from its edges, unclipped) move by its colour exactly.
      Map.Entry<String, Integer> common = label.getValue().entrySet().stream().max(Map.Entry.comparingByValue()).get();
      assertTrue(common.getValue() > pixels / 3, "label " + label.getKey() + ": " + common);
      for (String channel : common.getKey().split(",")) {
        assertTrue(Set.of("8", "0", "-8").contains(channel), "label " + label.getKey() + " moves by " + common.getKey());
      }
      colours.add(common.getKey());
    }
    assertTrue(large >= 3, "large classes: " + large);
    assertEquals(large, colours.size(), "each large class its own colour: " + colours);
  }

  /**
   * Masks that are the whole image (a dense label map's every labelled pixel, as ADE20K's and Cityscapes' defaults
   * nearly are) make the built-in noise one tint over each image: the console says so, with --select, and the
   * summary counts them. Masks of half the image say nothing.
   */
  @Test
  void denseMasksAreNamedWithTheSelectThatFixesThem() throws Exception {
    Path images = Files.createDirectories(tmp.resolve("dense/images"));
    Path whole = Files.createDirectories(tmp.resolve("dense/whole"));
    Path half = Files.createDirectories(tmp.resolve("dense/half"));
    for (String photo : List.of("rocket.jpg", "chelsea.png")) {
      Files.copy(Cli.SAMPLES.resolve("tiles/images/" + photo), images.resolve(photo));
      BufferedImage size = ImageIO.read(images.resolve(photo).toFile());
      BufferedImage mask = new BufferedImage(size.getWidth(), size.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
      java.awt.Graphics2D g = mask.createGraphics();
      g.setColor(java.awt.Color.WHITE);
      g.fillRect(0, 0, size.getWidth(), size.getHeight());
      ImageIO.write(mask, "png", whole.resolve(photo.replaceAll("\\.\\w+$", ".png")).toFile());
      g.setColor(java.awt.Color.BLACK);
      g.fillRect(0, 0, size.getWidth(), size.getHeight() / 2);
      g.dispose();
      ImageIO.write(mask, "png", half.resolve(photo.replaceAll("\\.\\w+$", ".png")).toFile());
    }
    Path out = tmp.resolve("dense-out");
    Cli.Run dense = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", whole.toString(),
        "--output", out.toString());
    assertEquals(0, dense.code(), dense.err());
    assertTrue(dense.err().contains("unseg: note: the masks of 2 of 2 protected images cover 90% or more of their image")
        && dense.err().contains("--select"), dense.err());
    assertEquals(2, Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile()).get("dense_masks").asLong());
    Cli.Run objects = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", half.toString(),
        "--output", tmp.resolve("half-out").toString());
    assertEquals(0, objects.code(), objects.err());
    assertFalse(objects.err().contains("cover 90% or more"), objects.err());
    assertEquals(0, Cli.JSON.readTree(tmp.resolve("half-out/_unseg/summary.json").toFile()).get("dense_masks").asLong());
  }

  /**
   * A GeoTIFF with a nodata collar (GDAL_NODATA 0): protect leaves the collar at 0, as it holds no image and
   * eps_bg's noise would make it valid dark pixels, and protects the scene around the mask; verify passes.
   */
  @Test
  void noDataCollarIsLeftAsNoData() throws Exception {
    Path images = tileWithMask("scene", "nodata_collar.tif", "scene", 20, 16, 44, 32);
    Path masks = tmp.resolve("scene/masks");
    // A file that is not an image, which the release leaves out, saying so; a Finder's dot file, left out unsaid.
    Files.writeString(images.resolve("scene-notes.txt"), "taken 2020-06-01");
    Files.writeString(images.resolve(".DS_Store"), "");
    Path out = tmp.resolve("scene-out");
    Cli.Run run = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("unseg: 2 files under --images are not mask-pairs images and stay out of the release"
        + " (the first: scene-notes.txt)"), run.err());
    assertEquals(Set.of("_SUCCESS", "images/scene.tif", "masks/scene.png"), releasedFiles(out));
    Raster before = ImageIO.read(images.resolve("scene.tif").toFile()).getRaster();
    Raster after = ImageIO.read(out.resolve("images/scene.tif").toFile()).getRaster();
    int collar = 0;
    int changedOutside = 0;
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        for (int b = 0; b < 3; b++) {
          if (before.getSample(x, y, b) == 0) {
            collar++;
            assertEquals(0, after.getSample(x, y, b), "nodata at " + x + "," + y);
          } else if (!(x >= 20 && x < 44 && y >= 16 && y < 32) && after.getSample(x, y, b) != before.getSample(x, y, b)) {
            changedOutside++;
          }
        }
      }
    }
    assertEquals(3 * (64 * 48 - 52 * 36), collar);
    assertTrue(changedOutside > 1000, "the scene outside the mask has its eps_bg noise: " + changedOutside);
    Cli.Run verify = Cli.runCli(new String[] {"verify", "--output", out.toString(), "--originals", images.toString(),
        "--master", "local[2]", "--conf", "spark.ui.enabled=false"});
    assertEquals(0, verify.code(), verify.out() + verify.err());
  }

  /**
   * An orthophoto as GDAL users keep one: a tile whose internal mask leaves out a collar (10 pixels left, 7 at the
   * top), beside its world file, projection, PAM file and overviews, and a note. The pixel-free sidecars travel with
   * the protected tile, unchanged; the overviews (the tile's pixels, reduced) and the note stay out, and verify
   * names overviews copied in by hand. The collar is left as it was and the mask kept. With another output format
   * the images' names change, so the sidecars stay out and the console says so.
   */
  @Test
  void gdalSidecarsTravelWithTheirTileAndOverviewsNever() throws Exception {
    Path images = tileWithMask("ortho", "internal_mask.tif", "tile", 30, 20, 70, 50);
    Path masks = tmp.resolve("ortho/masks");
    Map<String, String> sidecars = Map.of("tile.tfw", "0.5\n0\n0\n-0.5\n500000.25\n5200000.25\n",
        "tile.prj", "PROJCS[\"WGS 84 / UTM zone 33N\"]", "tile.tif.aux.xml", "<PAMDataset><SRS>EPSG:32633</SRS></PAMDataset>");
    for (Map.Entry<String, String> sidecar : sidecars.entrySet()) {
      Files.writeString(images.resolve(sidecar.getKey()), sidecar.getValue());
    }
    Files.copy(images.resolve("tile.tif"), images.resolve("tile.tif.ovr"));
    Files.writeString(images.resolve("notes.txt"), "flown 2020-06-01");
    Path out = tmp.resolve("ortho-out");
    Cli.Run run = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", out.toString());
    assertEquals(0, run.code(), run.err());
    assertTrue(run.err().contains("unseg: 3 GDAL sidecars beside the images (georeferencing, projection, masks; the first: "), run.err());
    assertTrue(run.err().contains("unseg: 2 files under --images are not mask-pairs images and stay out of the release"), run.err());
    assertEquals(Set.of("_SUCCESS", "images/tile.tif", "images/tile.tfw", "images/tile.prj", "images/tile.tif.aux.xml",
        "masks/tile.png"), releasedFiles(out));
    for (String sidecar : sidecars.keySet()) {
      assertEquals(sidecars.get(sidecar), Files.readString(out.resolve("images/" + sidecar)), sidecar);
    }
    JsonNode summary = Cli.JSON.readTree(out.resolve("_unseg/summary.json").toFile());
    assertEquals(3, summary.get("sidecars_copied").asLong());
    assertEquals(2, summary.get("not_images").asLong());
    Raster before = jdkTiffPage(images.resolve("tile.tif"), 0);
    Raster after = jdkTiffPage(out.resolve("images/tile.tif"), 0);
    Raster mask = jdkTiffPage(out.resolve("images/tile.tif"), 1);
    int changed = 0;
    for (int y = 0; y < before.getHeight(); y++) {
      for (int x = 0; x < before.getWidth(); x++) {
        boolean collar = x < 10 || y < 7;
        assertEquals(collar ? 0 : 1, mask.getSample(x, y, 0), "the copy's internal mask at " + x + "," + y);
        for (int b = 0; b < 3; b++) {
          if (collar) {
            assertEquals(before.getSample(x, y, b), after.getSample(x, y, b), "collar at " + x + "," + y);
          } else {
            changed += before.getSample(x, y, b) != after.getSample(x, y, b) ? 1 : 0;
          }
        }
      }
    }
    assertTrue(changed > 3 * 86 * 57 / 2, "the scene has its noise: " + changed);
    String[] verify = {"verify", "--output", out.toString(), "--originals", images.toString(), "--master", "local[2]",
        "--conf", "spark.ui.enabled=false"};
    Cli.Run verified = Cli.runCli(verify);
    assertEquals(0, verified.code(), verified.out() + verified.err());
    Files.copy(images.resolve("tile.tif.ovr"), out.resolve("images/tile.tif.ovr"));
    Cli.Run overviews = Cli.runCli(verify);
    assertEquals(1, overviews.code(), overviews.out() + overviews.err());
    assertTrue((overviews.out() + overviews.err()).contains("images/tile.tif.ovr: GDAL overviews in the release"),
        overviews.out() + overviews.err());

    Path png = tmp.resolve("ortho-png");
    Cli.Run asPng = Cli.protect("--format", "mask-pairs", "--images", images.toString(), "--annotations", masks.toString(),
        "--output", png.toString(), "--output-format", "png");
    assertEquals(0, asPng.code(), asPng.err());
    assertEquals(Set.of("_SUCCESS", "images/tile.png", "masks/tile.png"), releasedFiles(png));
    assertTrue(asPng.err().contains("5 files under --images are not mask-pairs images")
        && asPng.err().contains("with names to match the images' new ones"), asPng.err());
  }

  /** A page of a TIFF, by the JDK's reader (TwelveMonkeys' refuses an internal mask's Photometric 4). */
  private static Raster jdkTiffPage(Path tiff, int page) throws IOException {
    javax.imageio.ImageReader reader = null;
    for (var it = ImageIO.getImageReadersByFormatName("tiff"); it.hasNext(); ) {
      javax.imageio.ImageReader candidate = it.next();
      reader = candidate.getClass().getName().startsWith("com.sun.imageio") ? candidate : reader;
    }
    try (javax.imageio.stream.ImageInputStream in = ImageIO.createImageInputStream(tiff.toFile())) {
      reader.setInput(in);
      return reader.read(page).getRaster();
    } finally {
      reader.dispose();
    }
  }

  /**
   * A mask-pairs dataset under {@code dir} of one GeoTIFF from the pipeline's test files, as
   * {@code images/<stem>.tif}, and its mask, {@code masks/<stem>.png}, the rectangle [x0, x1) x [y0, y1); the
   * images folder.
   */
  private Path tileWithMask(String dir, String geotiff, String stem, int x0, int y0, int x1, int y1) throws IOException {
    Path images = Files.createDirectories(tmp.resolve(dir + "/images"));
    Path masks = Files.createDirectories(tmp.resolve(dir + "/masks"));
    Files.copy(Path.of("..", "pipeline/src/test/resources/dev/unseg/pipeline/image/geotiff", geotiff),
        images.resolve(stem + ".tif"));
    BufferedImage tile = ImageIO.read(images.resolve(stem + ".tif").toFile());
    BufferedImage mask = new BufferedImage(tile.getWidth(), tile.getHeight(), BufferedImage.TYPE_BYTE_GRAY);
    for (int y = y0; y < y1; y++) {
      for (int x = x0; x < x1; x++) {
        mask.getRaster().setSample(x, y, 0, 255);
      }
    }
    ImageIO.write(mask, "png", masks.resolve(stem + ".png").toFile());
    return images;
  }

  /** Every file of an output outside its audit folder, by relative path. */
  static Set<String> releasedFiles(Path out) throws IOException {
    try (Stream<Path> files = Files.walk(out)) {
      return files.filter(Files::isRegularFile).map(f -> out.relativize(f).toString())
          .filter(rel -> !rel.startsWith("_unseg/")).collect(java.util.stream.Collectors.toSet());
    }
  }

  @Test
  void refusesAnOutputInsideTheInput() throws Exception {
    Cli.Run run = Cli.protect("--format", "ade20k", "--images", Cli.SAMPLES.resolve("ade20k/images").toString(),
        "--annotations", Cli.SAMPLES.resolve("ade20k/annotations").toString(),
        "--output", Cli.SAMPLES.resolve("ade20k/images/protected").toString());
    assertEquals(2, run.code());
    assertTrue(run.err().contains("--output") && run.err().contains("overlaps"), run.err());
    assertTrue(!Files.exists(Cli.SAMPLES.resolve("ade20k/images/protected")));

    // The same through a symbolic link: an output given as a link to an (empty) folder inside the images.
    Path images = Files.createDirectories(tmp.resolve("ade/images/validation"));
    Files.copy(Cli.SAMPLES.resolve("ade20k/images/validation/ADE_val_00000001.jpg"), images.resolve("ADE_val_00000001.jpg"));
    Path inside = Files.createDirectories(tmp.resolve("ade/images/protected"));
    Path link = Files.createSymbolicLink(tmp.resolve("release"), inside);
    Cli.Run linked = Cli.protect("--format", "ade20k", "--images", tmp.resolve("ade/images").toString(),
        "--annotations", Cli.SAMPLES.resolve("ade20k/annotations").toString(), "--output", link.resolve("v1").toString());
    assertEquals(2, linked.code(), linked.err());
    assertTrue(linked.err().contains("overlaps the input"), linked.err());
    try (Stream<Path> left = Files.list(inside)) {
      assertEquals(0, left.count(), "nothing written");
    }
  }

  @Test
  void missingKeyNamesTheSetting() throws Exception {
    Cli.Run run = Cli.protectWithoutKey("--format", "ade20k", "--images", "x", "--annotations", "y", "--output", tmp.resolve("o").toString());
    assertEquals(2, run.code());
    assertTrue(run.err().contains("unseg.generator.key"), run.err());
  }

  // ---- helpers ----

  /**
   * Decodes input and output independently (ImageIO) and checks |out - in| <= eps where the
   * written mask is 255 and <= epsBg elsewhere, on every band.
   */
  static void checkBounds(Path inRoot, Path outRoot, Path masks, List<JsonNode> rows, int eps, int epsBg) throws IOException {
    for (JsonNode row : rows) {
      String rel = row.get("input_path").asText();
      Raster in = readInput(inRoot.resolve(rel));
      Raster out = ImageIO.read(outRoot.resolve(row.get("output_path").asText()).toFile()).getRaster();
      Raster mask = ImageIO.read(masks.resolve(rel.substring(0, rel.lastIndexOf('.')) + ".png").toFile()).getRaster();
      assertEquals(in.getWidth(), out.getWidth());
      assertEquals(in.getHeight(), out.getHeight());
      int bands = Math.min(3, in.getNumBands());
      int maxIn = 0;
      int maxOut = 0;
      long changed = 0;
      for (int y = 0; y < in.getHeight(); y++) {
        for (int x = 0; x < in.getWidth(); x++) {
          boolean inside = mask.getSample(x, y, 0) != 0;
          for (int b = 0; b < bands; b++) {
            int d = Math.abs(in.getSample(x, y, b) - out.getSample(x, y, b));
            if (inside) {
              maxIn = Math.max(maxIn, d);
            } else {
              maxOut = Math.max(maxOut, d);
            }
            changed += d > 0 ? 1 : 0;
          }
        }
      }
      assertTrue(maxIn <= eps, rel + ": inside the mask |out-in| reached " + maxIn);
      assertTrue(maxOut <= epsBg, rel + ": outside the mask |out-in| reached " + maxOut);
      assertTrue(changed > 0, rel + ": nothing changed");
      assertEquals(maxIn, row.get("linf_inside").asInt(), rel);
    }
  }

  /**
   * An input as training loaders read it. JPEG goes through the product's codec, whose decode is
   * checked bit for bit against Pillow (JpegColorTest): ImageIO would colour-manage an embedded
   * ICC profile, which loaders do not. PNG and TIFF go through ImageIO, independently.
   */
  static Raster readInput(Path file) throws IOException {
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    if (!name.endsWith(".jpg") && !name.endsWith(".jpeg")) {
      return ImageIO.read(file.toFile()).getRaster();
    }
    try {
      var img = new dev.unseg.pipeline.image.ImageCodec(100_000_000L).decode(Files.readAllBytes(file), name);
      var raster = java.awt.image.Raster.createInterleavedRaster(
          new java.awt.image.DataBufferByte(img.rgb(), img.rgb().length), img.width(), img.height(),
          img.width() * 3, 3, new int[] {0, 1, 2}, null);
      return raster;
    } catch (dev.unseg.pipeline.error.InputException e) {
      throw new IOException(e);
    }
  }

  static void assertSameBytes(Path expected, Path actual) throws IOException {
    assertTrue(Files.exists(actual), actual + " was not written");
    assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), actual.toString());
  }
}
