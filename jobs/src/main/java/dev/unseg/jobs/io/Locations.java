package dev.unseg.jobs.io;

import dev.unseg.pipeline.error.UserError;
import java.io.File;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Where a run reads and writes, as qualified URIs, and how the output mirrors the input.
 *
 * <p>The output mirrors the deepest folder holding both the images and the annotations (the
 * dataset root): {@code coco/val2017/x.jpg} and {@code coco/annotations/instances.json} become
 * {@code <output>/val2017/x.jpg} and {@code <output>/annotations/instances.json}, so the output is
 * a drop-in replacement. The audit trail goes to the output's {@link OutputLayout#AUDIT}.
 *
 * @param images root folder of the images
 * @param annotations the annotation file (COCO) or root folder (label maps, mask pairs)
 * @param output root of the protected dataset
 * @param datasetRoot the folder path that holds both images and annotations, '/'-terminated, or
 *     empty when they share none worth mirroring (another bucket, or only "/")
 */
public record Locations(URI images, URI annotations, URI output, String datasetRoot) implements Serializable {

  public static Locations of(String images, String annotations, String output) {
    URI img = directory(qualify(images));
    URI ann = qualify(annotations);
    String common = sameFileSystem(img, ann) ? commonFolder(img.getPath(), ann.getPath()) : "";
    return new Locations(img, ann, directory(qualify(output)), common.length() > 1 ? common : "");
  }

  /**
   * Where an input location lands in the output, relative to the output root: its path below the
   * dataset root, or just its own name when there is no dataset root. Folders end with '/'.
   */
  public String mirror(URI input) {
    String p = input.getPath();
    String rel = !datasetRoot.isEmpty() && sameFileSystem(input, images) && p.startsWith(datasetRoot)
        ? p.substring(datasetRoot.length())
        : lastName(p) + (p.endsWith("/") ? "/" : "");
    return rel.equals("/") ? "" : rel;
  }

  /** A local path or any Hadoop URI, made absolute: {@code data/x} becomes {@code file:/.../data/x}. */
  public static URI qualify(String location) {
    URI u;
    try {
      u = new URI(location);
    } catch (URISyntaxException e) {
      // Not a URI as written (a space, an accent): read as Hadoop reads paths, so that "file:/a b/" (how
      // protect prints its output) and "s3a://bucket/a b/" name what they say.
      try {
        u = new Path(location).toUri();
      } catch (IllegalArgumentException notAPath) {
        u = null;
      }
    }
    if (u == null || u.getScheme() == null || u.getScheme().length() == 1) {
      return new File(location).getAbsoluteFile().toURI().normalize();
    }
    return u.normalize();
  }

  public Path imagePath(String relative) {
    return child(images, relative);
  }

  public Path annotationPath(String relative) {
    return child(directory(annotations), relative);
  }

  public Path outputImagePath(String relative) {
    return child(output, mirror(images) + relative);
  }

  /** The names under the output root. */
  public OutputLayout layout() {
    return new OutputLayout(output);
  }

  /**
   * Refuses an output that is, contains, or lies inside an input: writing there could overwrite
   * the originals or make the next run read its own output.
   */
  public void checkOutputSeparate() {
    for (URI in : new URI[] {images, directory(annotations)}) {
      if (!sameFileSystem(in, output)) {
        continue;
      }
      String o = output.getPath();
      String i = directory(in).getPath();
      String realO = resolved(output);
      String realI = resolved(directory(in));
      if (o.startsWith(i) || i.startsWith(o) || realO.startsWith(realI) || realI.startsWith(realO)) {
        throw new UserError("--output " + output + " overlaps the input " + in
            + ": the output root must not be, contain, or lie inside an input root, so the originals can never be"
            + " overwritten. Choose an --output outside " + in + ".");
      }
    }
  }

  /**
   * Whether any of {@code relative} (paths under the images root) is there: the start checks' and verify's
   * test that --images (--originals) is the folder the names are relative to. An unsafe path (../x) counts
   * as absent: its row says so.
   */
  public boolean anyImageThere(List<String> relative, Configuration hadoop) throws java.io.IOException {
    Storage store = Storage.of(images, hadoop);
    for (String name : relative) {
      try {
        if (store.exists(imagePath(name))) {
          return true;
        }
      } catch (IllegalArgumentException unsafe) {
        // refused as path_unsafe by the run
      }
    }
    return false;
  }

  /**
   * A folder's path with its symbolic links resolved as far as it exists ('/'-terminated), so that an output
   * given as a link into an input is seen there; other file systems' paths as they are.
   */
  private static String resolved(URI folder) {
    if (!Storage.isLocal(folder)) {
      return folder.getPath();
    }
    java.nio.file.Path existing = java.nio.file.Path.of(folder);
    java.nio.file.Path rest = existing.getFileSystem().getPath("");
    while (existing.getParent() != null && !java.nio.file.Files.exists(existing)) {
      rest = existing.getFileName().resolve(rest);
      existing = existing.getParent();
    }
    try {
      String real = existing.toRealPath().resolve(rest).toString();
      return real.endsWith("/") ? real : real + "/";
    } catch (java.io.IOException unreadable) {
      return folder.getPath();
    }
  }

  /** Whether the annotations folder is the images folder or lies inside it (so a listing of images meets them). */
  public boolean annotationsAmongImages() {
    return sameFileSystem(images, annotations) && directory(annotations).getPath().startsWith(images.getPath());
  }

  /** A child by relative path; characters such as spaces, '#', ':' or unicode are kept literally. */
  static Path child(URI root, String relative) {
    try {
      URI dir = directory(root);
      return new Path(new URI(dir.getScheme(), dir.getAuthority(), dir.getPath() + relative, null, null));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot form a path for '" + relative + "' under " + root + ": " + e.getMessage(), e);
    }
  }

  public static URI directory(URI u) {
    String p = u.getPath() == null || u.getPath().isEmpty() ? "/" : u.getPath();
    if (p.endsWith("/")) {
      return u;
    }
    try {
      return new URI(u.getScheme(), u.getAuthority(), p + "/", null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static boolean sameFileSystem(URI a, URI b) {
    return a.getScheme().equals(b.getScheme()) && java.util.Objects.equals(a.getAuthority(), b.getAuthority());
  }

  private static String commonFolder(String a, String b) {
    int end = 0;
    for (int i = 0; i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i); i++) {
      if (a.charAt(i) == '/') {
        end = i + 1;
      }
    }
    return a.substring(0, end);
  }

  private static String strip(String p) {
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static String lastName(String p) {
    String s = strip(p);
    return s.substring(s.lastIndexOf('/') + 1);
  }
}
