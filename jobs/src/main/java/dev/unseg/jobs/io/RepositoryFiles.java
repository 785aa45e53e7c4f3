package dev.unseg.jobs.io;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Files shipped in the repository (the sample photos in {@code samples/}), found from the working folder
 * or, when bin/unseg runs from another folder, from the repository its jar was built in.
 */
public final class RepositoryFiles {
  private RepositoryFiles() {}

  /** The path as given where it exists; a relative one not found there, under the repository root; else empty. */
  public static Optional<Path> find(Path path) {
    if (Files.exists(path)) {
      return Optional.of(path);
    }
    if (path.isAbsolute()) {
      return Optional.empty();
    }
    try {
      // jobs/target/<jar or classes> -> the repository root
      Path code = Path.of(RepositoryFiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path inRepository = code.getParent().getParent().getParent().resolve(path);
      return Files.exists(inRepository) ? Optional.of(inRepository) : Optional.empty();
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty(); // not run from a build of the repository: only the working folder counts
    }
  }
}
