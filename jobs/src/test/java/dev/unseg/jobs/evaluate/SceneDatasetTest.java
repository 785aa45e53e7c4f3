package dev.unseg.jobs.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.unseg.jobs.testing.Cli;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.error.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated COCO scenes, read back through the evaluation's own COCO reader. */
class SceneDatasetTest {
  @TempDir Path tmp;

  /**
   * make-dataset's default --photos (samples) is the repository's, whatever folder it runs from (it was an
   * internal error outside the repository root); a folder that is nowhere is a refused setting.
   */
  @Test
  void photosAreFoundFromAnyFolderOrRefusedByName() throws Exception {
    assertFalse(Files.exists(Path.of("samples")), "the tests run in jobs/, beside samples/, not above it");
    assertTrue(SyntheticDataset.readPhotos(List.of(Path.of("samples"))).size() >= 5);
    UserError e = assertThrows(UserError.class, () -> SyntheticDataset.readPhotos(List.of(tmp.resolve("nowhere"))));
    assertTrue(e.getMessage().startsWith("unseg.make-dataset.photos = '" + tmp.resolve("nowhere") + "' is not valid"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(flag --photos)"), e.getMessage());
  }

  @Test
  void classMapsMatchTheIndexBoxesAndAreas() throws Exception {
    new SceneDataset(SyntheticDataset.readPhotos(List.of(Path.of("../samples"))), 96, 5).write(tmp, 12);
    JsonNode index = new ObjectMapper().readTree(tmp.resolve("annotations.json").toFile());
    assertEquals(12, index.get("images").size());
    assertEquals(SceneDataset.CLASSES.size(), index.get("categories").size());
    LabeledDataset data = LabeledDataset.open(new DatasetSource(DatasetFormat.COCO,
        tmp.resolve("images").toString(), tmp.resolve("annotations.json").toString(), "", "", ""), new Configuration(), 1, 12);
    assertEquals(12, data.images().size());
    assertEquals(List.of("background", "disc", "box", "star", "cross"), data.classNames());
    assertArrayEquals(new boolean[] {false, true, true, true, true}, data.selectedClasses());
    // A run that selected categories 2 and 4 (box, cross): the probe learns those.
    assertArrayEquals(new boolean[] {false, false, true, false, true}, LabeledDataset.open(new DatasetSource(DatasetFormat.COCO,
        tmp.resolve("images").toString(), tmp.resolve("annotations.json").toString(), "", "", "",
        dev.unseg.pipeline.dataset.Selection.parse("classes:2,4")), new Configuration(), 1, 12).selectedClasses());
    // An index of more categories than a class map holds (LVIS has 1,203): evaluated on the classes the run selected.
    com.fasterxml.jackson.databind.node.ObjectNode large = (com.fasterxml.jackson.databind.node.ObjectNode) index.deepCopy();
    for (int id = 100; id < 400; id++) {
      ((com.fasterxml.jackson.databind.node.ArrayNode) large.get("categories")).addObject().put("id", id).put("name", "c" + id);
    }
    Path largeIndex = tmp.resolve("large.json");
    new ObjectMapper().writeValue(largeIndex.toFile(), large);
    LabeledDataset some = LabeledDataset.open(new DatasetSource(DatasetFormat.COCO, tmp.resolve("images").toString(),
        largeIndex.toString(), "", "", "", dev.unseg.pipeline.dataset.Selection.parse("classes:2,4,300")),
        new Configuration(), 1, 12);
    assertEquals(List.of("background", "box", "cross", "c300"), some.classNames());
    String first = index.get("images").get(0).get("file_name").asText();
    byte[] selectedOnly = some.label(first, 96, 96);
    byte[] every = data.label(first, 96, 96);
    for (int p = 0; p < every.length; p++) {
      assertEquals(every[p] == 2 ? 1 : every[p] == 4 ? 2 : 0, selectedOnly[p], "pixel " + p);
    }
    dev.unseg.pipeline.error.UserError tooMany = org.junit.jupiter.api.Assertions.assertThrows(
        dev.unseg.pipeline.error.UserError.class, () -> LabeledDataset.open(new DatasetSource(DatasetFormat.COCO,
            tmp.resolve("images").toString(), largeIndex.toString(), "", "", ""), new Configuration(), 1, 12));
    assertTrue(tooMany.getMessage().contains("has 304 categories and the run selected 304"), tooMany.getMessage());
    Set<Integer> seen = new HashSet<>();
    for (JsonNode img : index.get("images")) {
      byte[] label = data.label(img.get("file_name").asText(), 96, 96);
      long[] area = new long[SceneDataset.CLASSES.size() + 1];
      int[] box = {96, 96, -1, -1};
      for (int p = 0; p < label.length; p++) {
        area[label[p]]++;
        if (label[p] != 0) {
          box[0] = Math.min(box[0], p % 96);
          box[1] = Math.min(box[1], p / 96);
          box[2] = Math.max(box[2], p % 96);
          box[3] = Math.max(box[3], p / 96);
        }
      }
      long[] expected = new long[area.length];
      int[] union = {96, 96, -1, -1};
      for (JsonNode a : index.get("annotations")) {
        if (a.get("image_id").asInt() == img.get("id").asInt()) {
          int c = a.get("category_id").asInt();
          expected[c] += a.get("area").asLong();
          seen.add(c);
          JsonNode b = a.get("bbox");
          union[0] = Math.min(union[0], b.get(0).asInt());
          union[1] = Math.min(union[1], b.get(1).asInt());
          union[2] = Math.max(union[2], b.get(0).asInt() + b.get(2).asInt() - 1);
          union[3] = Math.max(union[3], b.get(1).asInt() + b.get(3).asInt() - 1);
        }
      }
      // Visible masks do not overlap, so the class map holds exactly the annotated areas, where the boxes say.
      for (int c = 1; c < area.length; c++) {
        assertEquals(expected[c], area[c], "class " + c + " of " + img);
      }
      assertEquals(List.of(union[0], union[1], union[2], union[3]), List.of(box[0], box[1], box[2], box[3]));
    }
    assertTrue(seen.size() >= 3, "several classes in 12 images: " + seen);
  }

  /** Each class and the backgrounds need photos of their own: four photos are refused before anything is written. */
  @Test
  void fewerThanFivePhotosAreRefused() throws Exception {
    Path photos = Files.createDirectories(tmp.resolve("photos"));
    List<Path> four;
    try (var files = Files.list(Cli.SAMPLES.resolve("photos"))) {
      four = files.filter(f -> f.toString().matches(".*\\.(png|jpg)")).sorted().limit(4).toList();
    }
    for (Path f : four) {
      Files.copy(f, photos.resolve(f.getFileName()));
    }
    Path out = tmp.resolve("out");
    Cli.Run run = Cli.runCli(new String[] {"make-dataset", "--kind", "coco", "--photos", photos.toString(), "--output",
        out.toString(), "--count", "3"});
    assertEquals(2, run.code(), run.err());
    assertTrue(run.err().contains("--photos needs at least 5 photos"), run.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  /** A folder that already holds a dataset is refused: make-dataset wrote over its images and index before. */
  @Test
  void aDatasetAlreadyThereIsNotWrittenOver() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("taken/images"));
    Files.writeString(out.resolve("00000.png"), "someone's image");
    for (String kind : List.of("coco", "mask-pairs")) {
      Cli.Run run = Cli.runCli(new String[] {"make-dataset", "--kind", kind, "--photos", Cli.SAMPLES.toString(),
          "--output", tmp.resolve("taken").toString(), "--count", "2", "--size", "32"});
      assertEquals(2, run.code(), run.err());
      assertTrue(run.err().contains("unseg.make-dataset.output (--output) " + tmp.resolve("taken") + " already holds images"),
          run.err());
    }
    assertEquals("someone's image", Files.readString(out.resolve("00000.png")));
    // A file where the folder should be, and a folder under it, were internal errors.
    for (Path file : List.of(out.resolve("00000.png"), out.resolve("00000.png/sub"))) {
      Cli.Run run = Cli.runCli(new String[] {"make-dataset", "--photos", Cli.SAMPLES.toString(), "--output", file.toString(),
          "--count", "2", "--size", "32"});
      assertEquals(2, run.code(), run.err());
      assertTrue(run.err().startsWith("unseg: unseg.make-dataset.output (--output) " + file) && run.err().contains(
          ": give a folder to write to"), run.err());
    }
    assertFalse(Files.exists(tmp.resolve("taken/annotations.json")) || Files.exists(tmp.resolve("taken/masks")));
  }
}
