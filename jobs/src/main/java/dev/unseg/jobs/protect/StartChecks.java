package dev.unseg.jobs.protect;

import dev.unseg.jobs.config.ProtectConfig;
import dev.unseg.jobs.config.SelectionSpec;
import dev.unseg.jobs.io.FolderStore;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.Storage;
import dev.unseg.jobs.io.StorageErrors;
import dev.unseg.jobs.plan.TaskPlanner;
import dev.unseg.pipeline.dataset.CocoImageEntry;
import dev.unseg.pipeline.dataset.CocoIndexReader;
import dev.unseg.pipeline.dataset.CocoIndexVisitor;
import dev.unseg.pipeline.dataset.DatasetFormat;
import dev.unseg.pipeline.dataset.ImageList;
import dev.unseg.pipeline.dataset.InvalidIndexException;
import dev.unseg.pipeline.dataset.LabelMapLayout;
import dev.unseg.pipeline.dataset.PanopticEntry;
import dev.unseg.pipeline.dataset.Selection;
import dev.unseg.pipeline.error.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The inputs checked before a run writes anything: each location exists and is a file or a folder as
 * its format needs, a COCO index is read once whole, so that a malformed, empty or foreign index (or
 * one of the other COCO kind) is refused with exit code 2 instead of failing inside Spark tasks, and an
 * images folder of another format must hold at least one image of it (the listing stops at the first),
 * one of the first images a COCO index or an image list names must be under --images, and one of the first
 * images of a folder format must have its annotation under --annotations (one of the first PNGs of a
 * panoptic index under --panoptic-masks), and a selection's COCO categories must be in the index.
 * Reading the index twice costs one streaming pass (measured in docs/reliability.md).
 */
final class StartChecks {
  private StartChecks() {}

  /** @return the run's selection, a COCO index's category names in it resolved to their ids */
  static Selection inputs(ProtectConfig config, Locations locations, URI annotationRoot, Configuration hadoop)
      throws IOException, InvalidIndexException {
    DatasetFormat format = config.format();
    Selection selection = config.selection();
    boolean coco = format == DatasetFormat.COCO || format == DatasetFormat.COCO_PANOPTIC;
    folder(hadoop, locations.images(), "unseg.input.images (--images)", "the folder that holds the dataset's images");
    Storage.Status annotations = status(hadoop, locations.annotations(), "unseg.input.annotations (--annotations)",
        coco ? "the dataset's JSON file" : "the folder of label/mask files");
    if (coco && annotations.directory()) {
      throw new UserError("--annotations " + locations.annotations() + " is a folder, but --format " + format.cliName()
          + " reads one JSON file: give the " + (format == DatasetFormat.COCO ? "instances" : "panoptic")
          + " JSON (for example annotations/" + (format == DatasetFormat.COCO ? "instances" : "panoptic")
          + "_val2017.json), or the --format of a dataset laid out in folders (ade20k, cityscapes, voc, mask-pairs).");
    }
    if (!coco && !annotations.directory()) {
      throw new UserError("--annotations " + locations.annotations() + " is a file, but --format " + format.cliName()
          + " reads a folder of " + (format == DatasetFormat.MASK_PAIRS ? "mask" : "label") + " files mirroring --images"
          + ": give that folder" + (locations.annotations().getPath().endsWith(".json")
              ? ", or --format coco (or coco-panoptic) for a COCO JSON file." : "."));
    }
    if (coco) {
      selection = index(hadoop, locations.annotations(), format, selection);
      imagesFound(hadoop, locations, firstCocoImages(hadoop, locations.annotations()), "the index",
          names -> cocoImageNames(hadoop, locations.annotations(), names));
    } else {
      LabelMapLayout layout = LabelMapLayout.forFormat(format, config.selection(), config.maskName());
      if (format == DatasetFormat.MASK_PAIRS && config.imageList().isEmpty() && locations.annotationsAmongImages()) {
        throw new UserError("--annotations " + locations.annotations() + " is --images " + locations.images()
            + " or lies inside it: mask-pairs protects every image under --images, so the masks there would be taken"
            + " for images to protect (a PNG image for its own mask). Keep the masks in a folder of their own (masks/"
            + " beside images/) and give it as --annotations, or name the images to protect with --image-list.");
      }
      if (!config.imageList().isEmpty()) {
        imagesFound(hadoop, locations, imageList(hadoop, config.imageList(), format), "--image-list",
            names -> TaskPlanner.readImageList(config.imageList(), format, hadoop, names));
      } else if (!Storage.of(locations.images(), hadoop).any(locations.images(), layout::isImage)) {
        throw new UserError("--images " + locations.images() + " holds no " + format.cliName() + " image ("
            + layout.imageNames() + "), so there is nothing to protect: check --images and --format.");
      }
      annotationsFound(hadoop, locations, layout, config.imageList().isEmpty()
          ? firstImages(hadoop, locations.images(), layout) : firstListed(hadoop, config.imageList(), format, ANNOTATIONS_LOOKED_FOR));
    }
    if (format == DatasetFormat.COCO_PANOPTIC) {
      folder(hadoop, annotationRoot, "unseg.input.panoptic-masks (--panoptic-masks)", "the folder of panoptic PNGs");
      panopticPngsFound(hadoop, locations.annotations(), annotationRoot);
    }
    return selection;
  }

  private static Selection index(Configuration hadoop, URI index, DatasetFormat format, Selection selection)
      throws IOException, InvalidIndexException {
    CocoIndexReader.Counts counts;
    try (InputStream in = Storage.of(index, hadoop).open(new Path(index))) {
      counts = CocoIndexReader.count(in, index.toString());
    }
    String name = "--annotations " + index;
    if (!counts.hasImageList()) {
      throw new UserError(name + " has no 'images' list, so it is not a COCO "
          + (format == DatasetFormat.COCO ? "instances" : "panoptic") + " file and names no image to protect."
          + " Give the dataset's instances_*.json or panoptic_*.json (a detection results list is not an index).");
    }
    if (counts.images() == 0) {
      throw new UserError(name + " lists no images ('images' is empty): there is nothing to protect."
          + " Give the index of the dataset you mean to release.");
    }
    if (format == DatasetFormat.COCO && counts.panopticAnnotations() > 0) {
      throw new UserError(name + " is a COCO panoptic file (" + counts.panopticAnnotations()
          + " annotations with 'segments_info'), but --format is coco: give --format coco-panoptic, or the instances JSON.");
    }
    if (format == DatasetFormat.COCO_PANOPTIC && counts.instanceAnnotations() > 0) {
      throw new UserError(name + " is a COCO instances file (" + counts.instanceAnnotations()
          + " annotations without 'segments_info'), but --format is coco-panoptic: give --format coco, or the panoptic JSON.");
    }
    // An index without annotations (COCO's image_info_test*.json) would release every image unchanged, unprotected.
    if (counts.instanceAnnotations() == 0 && counts.panopticAnnotations() == 0) {
      throw new UserError(name + " lists " + counts.images() + (counts.images() == 1 ? " image" : " images")
          + " but no annotations, so no image has a mask and every one would be released unchanged, unprotected"
          + " (COCO's image_info_*.json of its test splits are such files). Give the "
          + (format == DatasetFormat.COCO ? "instances" : "panoptic") + " JSON of an annotated split.");
    }
    // Boxes alone (a detection or keypoints file) make no mask: every image would fail, one by one.
    if (counts.instanceAnnotations() > 0 && counts.usableInstanceAnnotations() == 0) {
      throw new UserError(name + " has " + counts.instanceAnnotations() + " annotations, and none with a segmentation that"
          + " makes a mask (the first: " + counts.firstProblem() + "). A detection file's boxes have no mask to protect:"
          + " give the instances JSON with the objects' polygons or RLE masks (for example annotations/instances_val2017.json).");
    }
    // A class the index does not have selects nothing: every image would be released unchanged as no_mask.
    Map<String, List<Long>> byName = Selection.idsByName(counts.categories());
    String categories = Selection.listClasses(byName);
    Selection resolved;
    try {
      resolved = selection.resolve(byName);
    } catch (IllegalArgumentException e) {
      throw new UserError("unseg.input.selection (--select) = '" + SelectionSpec.of(selection) + "': " + e.getMessage()
          + " among the 'categories' of " + name + ": give names or ids of its categories (" + categories + ").");
    }
    List<Long> unknown = resolved.classIds().stream().filter(id -> !counts.categories().containsKey(id)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new UserError("unseg.input.selection (--select) names " + (unknown.size() == 1 ? "category " : "categories ")
          + unknown.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")) + ", which " + name
          + " does not have: give ids or names of its 'categories' (" + categories + ").");
    }
    return resolved;
  }

  /** How many of the first images an index or list names are looked for under --images. */
  private static final int LOOKED_FOR = 20;

  /** How many files of --images are listed to tell a partial copy of a dataset from a wrong folder. */
  private static final int LISTED = 1000;

  /** Every image name an index or a list gives, streamed; a visitor may stop it by throwing {@link Enough}. */
  private interface Names {
    void each(ImageList.Visitor visitor) throws IOException, InvalidIndexException;
  }

  /**
   * Some image named is under --images. The first names are looked for; when none is there, the first
   * files of --images are listed and the names streamed: a folder holding some of them is a partial copy
   * of the dataset (the rest get image_missing rows), one holding none is almost surely the wrong folder
   * (its parent, say), where the run would release nothing, every image failed as missing, exit 0.
   */
  private static void imagesFound(Configuration hadoop, Locations locations, List<String> first, String namer, Names all)
      throws IOException, InvalidIndexException {
    if (locations.anyImageThere(first, hadoop)) {
      return;
    }
    Storage images = Storage.of(locations.images(), hadoop);
    java.util.Set<String> listed = new java.util.HashSet<>();
    try {
      images.walk(locations.images(), rel -> {
        listed.add(rel);
        if (listed.size() == LISTED) {
          throw new Enough();
        }
      });
      all.each(name -> {
        if (listed.contains(name)) {
          throw new Enough();
        }
      });
    } catch (Enough aNamedImageIsThere) {
      return;
    }
    if (!first.isEmpty()) {
      throw new UserError("--images " + locations.images() + " holds none of the first " + first.size() + " images "
          + namer + " names (the first, " + first.get(0) + ", is not at " + locations.images() + first.get(0)
          + "): set --images to the folder that " + namer + "'s names are relative to.");
    }
  }

  /**
   * How many images' annotations are looked for: more than images, since a layout may rightly lack some
   * (VOC's JPEGImages holds 17,125 photos, 2,913 of them with a class PNG).
   */
  private static final int ANNOTATIONS_LOOKED_FOR = 100;

  /**
   * Some of the first images have their annotation file: when none has, --annotations (or the mask-name rule)
   * is almost surely wrong, and the run would release nothing, every image failed as annotation_missing, exit 0.
   */
  private static void annotationsFound(Configuration hadoop, Locations locations, LabelMapLayout layout, List<String> images)
      throws IOException {
    Storage annotations = Storage.of(locations.annotations(), hadoop);
    String firstPath = null;
    for (String image : images) {
      try {
        String path = layout.annotationPathFor(image);
        if (annotations.exists(locations.annotationPath(path))) {
          return;
        }
        firstPath = firstPath == null ? path : firstPath;
      } catch (IllegalArgumentException unsafe) {
        // not an image of the format, or a path the run refuses: its row will say so
      }
    }
    if (firstPath != null) {
      boolean pairs = layout.format() == DatasetFormat.MASK_PAIRS;
      throw new UserError("--annotations " + locations.annotations() + " holds the annotation of none of the first "
          + images.size() + " images (the first, " + images.get(0) + ", has none at " + locations.annotationPath(firstPath)
          + "): set --annotations to the folder of " + (pairs ? "mask" : "label") + " files whose paths mirror --images"
          + (pairs ? ", and --mask-name to the rule that names an image's mask (" + layout.nameRule() + " now)." : "."));
    }
  }

  /** Some of the first PNGs a panoptic index names are in the PNG folder (the check above, for panoptic PNGs). */
  private static void panopticPngsFound(Configuration hadoop, URI index, URI pngRoot) throws IOException, InvalidIndexException {
    List<String> first = new ArrayList<>();
    try (InputStream in = Storage.of(index, hadoop).open(new Path(index))) {
      CocoIndexReader.read(in, index.toString(), new CocoIndexVisitor() {
        @Override
        public void panoptic(PanopticEntry entry) {
          if (entry.fileName() != null) {
            first.add(entry.fileName());
          }
          if (first.size() == LOOKED_FOR) {
            throw new Enough();
          }
        }
      });
    } catch (Enough enough) {
      // read far enough
    }
    FolderStore pngs = new FolderStore(pngRoot, hadoop);
    for (String png : first) {
      try {
        if (pngs.exists(png)) {
          return;
        }
      } catch (dev.unseg.pipeline.dataset.UnsafePathException unsafe) {
        // a path the run refuses (../x): its row will say so
      }
    }
    if (!first.isEmpty()) {
      throw new UserError("--panoptic-masks " + pngRoot + " holds none of the first " + first.size() + " PNGs the panoptic"
          + " index names (the first, " + first.get(0) + "): set --panoptic-masks to the folder of the index's PNGs"
          + " (panoptic_val2017/ for panoptic_val2017.json).");
    }
  }

  /** The first images a listing of the images folder meets (in its order). */
  private static List<String> firstImages(Configuration hadoop, URI images, LabelMapLayout layout) throws IOException {
    List<String> first = new ArrayList<>();
    try {
      Storage.of(images, hadoop).walk(images, rel -> {
        if (layout.isImage(rel) && !TaskPlanner.hidden(rel)) {
          first.add(rel);
          if (first.size() == ANNOTATIONS_LOOKED_FOR) {
            throw new Enough();
          }
        }
      });
    } catch (Enough enough) {
      // listed far enough
    }
    return first;
  }

  /** Streams the file names of a COCO index's images. */
  private static void cocoImageNames(Configuration hadoop, URI index, ImageList.Visitor names)
      throws IOException, InvalidIndexException {
    try (InputStream in = Storage.of(index, hadoop).open(new Path(index))) {
      CocoIndexReader.read(in, index.toString(), new CocoIndexVisitor() {
        @Override
        public void image(CocoImageEntry image) {
          try {
            names.image(image.fileName());
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
    }
  }

  /** The file names of a COCO index's first images (its images list usually comes first: read no further). */
  private static List<String> firstCocoImages(Configuration hadoop, URI index) throws IOException, InvalidIndexException {
    List<String> first = new ArrayList<>();
    try {
      cocoImageNames(hadoop, index, name -> {
        first.add(name);
        if (first.size() == LOOKED_FOR) {
          throw new Enough();
        }
      });
    } catch (Enough enough) {
      // read far enough
    }
    return first;
  }

  private static List<String> firstListed(Configuration hadoop, String list, DatasetFormat format, int count) throws IOException {
    List<String> first = new ArrayList<>();
    try {
      TaskPlanner.readImageList(list, format, hadoop, rel -> {
        first.add(rel);
        if (first.size() == count) {
          throw new Enough();
        }
      });
    } catch (Enough enough) {
      // read far enough
    }
    return first;
  }

  /** Stops a streamed read once it has what a check needs. */
  private static final class Enough extends RuntimeException {
    Enough() {
      super(null, null, false, false);
    }
  }

  /** The image list is a file that names at least one image; returns the first it names. */
  private static List<String> imageList(Configuration hadoop, String list, DatasetFormat format) throws IOException {
    URI uri = Locations.qualify(list);
    String key = "unseg.input.image-list (--image-list)";
    if (status(hadoop, uri, key, "a text file naming the images to protect, one per line").directory()) {
      throw new UserError(uri + " is a folder: set " + key + " to a text file naming the images to protect, one per line"
          + " (for VOC, ImageSets/Segmentation/trainval.txt).");
    }
    List<String> first = firstListed(hadoop, list, format, LOOKED_FOR);
    if (first.isEmpty()) {
      throw new UserError("--image-list " + uri + " names no image (it is empty, or only blank and # lines): there is"
          + " nothing to protect. Give the list of the images you mean to release.");
    }
    return first;
  }

  /**
   * The output is a folder or absent, and so is the first folder above it that exists: a file there would
   * only show, once the run writes, as a storage failure. Unreachable storage is left to the first write.
   */
  static void output(URI output, Configuration hadoop) {
    try {
      Path file = Storage.of(output, hadoop).blockingFile(new Path(output));
      if (file != null) {
        throw new UserError(file + " is a file" + (file.equals(new Path(output)) ? "" : ", so " + output + " cannot be created under it")
            + ": set unseg.output.uri (--output) to a folder.");
      }
    } catch (IOException e) {
      IOException denied = StorageErrors.accessDenied(e);
      if (denied != null) {
        throw new UserError(StorageErrors.accessDeniedMessage(denied, "unseg.output.uri (--output)"));
      }
      // an outage: reported, with the fix, by the first step that writes
    }
  }

  private static void folder(Configuration hadoop, URI uri, String key, String what) throws IOException {
    if (!status(hadoop, uri, key, what).directory()) {
      throw new UserError(uri + " is a file: set " + key + " to " + what + ".");
    }
  }

  private static Storage.Status status(Configuration hadoop, URI uri, String key, String what) throws IOException {
    Storage.Status status;
    try {
      status = Storage.of(uri, hadoop).status(new Path(uri));
    } catch (IOException e) {
      IOException denied = StorageErrors.accessDenied(e);
      if (denied != null) {
        throw new UserError(StorageErrors.accessDeniedMessage(denied, key));
      }
      throw new UserError("cannot reach " + uri + " (" + key + "): " + StorageErrors.reason(e) + ". Check the storage's settings"
          + " (for s3a://: spark.hadoop.fs.s3a.endpoint, region and credentials) and that it is reachable.");
    }
    if (status == null) {
      throw new UserError(uri + " does not exist: set " + key + " to " + what + ".");
    }
    return status;
  }
}
