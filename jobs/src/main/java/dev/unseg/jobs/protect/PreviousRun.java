package dev.unseg.jobs.protect;

import dev.unseg.jobs.config.RunSafety;
import dev.unseg.jobs.io.Locations;
import dev.unseg.jobs.io.OutputLayout;
import dev.unseg.jobs.io.Storage;
import dev.unseg.pipeline.error.UserError;
import java.io.IOException;
import org.apache.hadoop.fs.Path;

/**
 * What to do with an output root that already holds a run (its {@code _unseg/} folder): refuse,
 * resume it, or wipe it. Only paths below the output root are ever deleted, and the output root
 * has already been checked not to overlap any input.
 */
final class PreviousRun {
  private PreviousRun() {}

  /**
   * Whether the output holds a run that this one resumes; refuses one that holds a run when neither
   * --resume nor --overwrite is given, and one that holds files no run wrote. Changes nothing: a start check.
   */
  static boolean check(Storage fs, Locations locations, RunSafety safety) throws IOException {
    Path audit = locations.layout().audit();
    if (!fs.exists(audit)) {
      // Files no run wrote would ship with the release, and an --overwrite of the run written beside them
      // would delete them: refused (dot files, such as .DS_Store, aside). Stops at the first file found.
      String[] foreign = {null};
      if (fs.exists(new Path(locations.output())) && fs.any(locations.output(), rel -> {
        foreign[0] = rel;
        return !rel.startsWith(".") && !rel.contains("/.");
      })) {
        throw new UserError("--output " + locations.output() + " already holds files that no unseg run wrote (" + foreign[0]
            + " among them): a release holds only what protect writes, and --overwrite deletes only a run. Choose a new"
            + " or empty --output.");
      }
      return false;
    }
    if (!safety.resume() && !safety.overwrite()) {
      throw new UserError("--output " + locations.output() + " already holds a run (" + audit
          + "). Give --resume to protect the images it has not done yet (and the failed ones again), --overwrite to delete it and start"
          + " again, or choose a new --output.");
    }
    return safety.resume();
  }

  /**
   * Readies an output that held a run ({@link #check} said so) once this run holds its lease: a resumed
   * run's leftovers are removed (its {@code _SUCCESS} only once the resume is planned and accepted:
   * {@link #resuming}), an overwritten run is deleted, all but the lease.
   */
  static void prepare(Storage fs, Locations locations, RunSafety safety) throws IOException {
    if (safety.resume()) {
      fs.delete(locations.layout().plan(), true);
      removeTemporaryFiles(fs, locations);
    } else if (safety.overwrite()) {
      wipe(fs, locations);
    }
  }

  /** A resume about to write: the output no longer claims to be complete until this run says so. */
  static void resuming(Storage fs, Locations locations) throws IOException {
    fs.delete(locations.layout().success(), false);
  }

  /**
   * Deletes every child of the output root: {@code _SUCCESS} first (the output stops claiming to
   * be complete), {@code _unseg/} last (an interrupted wipe is still recognised as a run), all of it
   * but this run's lease.
   */
  private static void wipe(Storage fs, Locations locations) throws IOException {
    Path root = new Path(locations.output());
    OutputLayout layout = locations.layout();
    Path audit = layout.audit();
    fs.delete(layout.success(), false);
    String auditName = OutputLayout.AUDIT.replace("/", ""); // audit.getName() is "" (the path ends with '/')
    for (Path child : fs.children(root)) {
      if (!child.getName().equals(auditName)) {
        delete(fs, child);
      }
    }
    for (Path child : fs.children(audit)) {
      if (!child.getName().equals(layout.lease().getName())) {
        delete(fs, child);
      }
    }
  }

  /**
   * Temporary files of writers killed mid-write (a dead driver's or a lost executor's). Streamed
   * listing; skipped on object stores, where nothing is written under a temporary name.
   */
  static void removeTemporaryFiles(Storage fs, Locations locations) throws IOException {
    if (!fs.usesTemporaryFiles()) {
      return;
    }
    fs.walk(locations.output(), rel -> {
      if (new Path(rel).getName().startsWith(Storage.TEMP_PREFIX)) {
        fs.delete(locations.layout().path(rel), false);
      }
    });
  }

  private static void delete(Storage fs, Path p) throws IOException {
    if (!fs.delete(p, true) && fs.exists(p)) {
      throw new IOException("--overwrite: cannot delete " + p + " under the output root; delete it by hand or choose a new --output");
    }
  }
}
