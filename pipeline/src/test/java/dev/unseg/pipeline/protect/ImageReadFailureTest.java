package dev.unseg.pipeline.protect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.unseg.pipeline.dataset.LocalAnnotationStore;
import dev.unseg.pipeline.dataset.UnsafePathException;
import dev.unseg.pipeline.error.ErrorCode;
import dev.unseg.pipeline.error.InputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image the storage refuses (file permissions, an object store's 403) is image_unreadable with the fix;
 * only a path this tool refuses is path_unsafe. Both were path_unsafe ("was not followed") before.
 */
class ImageReadFailureTest {
  @TempDir Path root;

  @Test
  void theStoragesRefusalIsNotAnUnsafePath() {
    // What java.nio throws for a file this user may not read (root reads every file, so it is built here).
    InputException denied = ImageProtector.readFailure("a/x.jpg", new AccessDeniedException(root.resolve("a/x.jpg").toString()));
    assertEquals(ErrorCode.IMAGE_UNREADABLE, denied.code());
    assertTrue(denied.getMessage().contains("cannot read image a/x.jpg: access denied (" + root.resolve("a/x.jpg")
        + "): give this job's user or credentials read access to it"), denied.getMessage());

    // The refusal of a path that leaves the root, as the local store throws it.
    IOException unsafe = assertThrowsIo(() -> new LocalAnnotationStore(root).open("../outside.jpg"));
    assertTrue(unsafe instanceof UnsafePathException, unsafe.toString());
    InputException refused = ImageProtector.readFailure("../outside.jpg", unsafe);
    assertEquals(ErrorCode.PATH_UNSAFE, refused.code());
    assertTrue(refused.getMessage().startsWith("image path ../outside.jpg was not followed"), refused.getMessage());

    assertEquals(ErrorCode.IMAGE_MISSING, ImageProtector.readFailure("y.jpg", assertThrowsIo(
        () -> new LocalAnnotationStore(root).open("y.jpg"))).code());
  }

  private interface Io {
    void run() throws IOException;
  }

  private static IOException assertThrowsIo(Io io) {
    try {
      io.run();
    } catch (IOException e) {
      return e;
    }
    throw new AssertionError("no IOException");
  }
}
